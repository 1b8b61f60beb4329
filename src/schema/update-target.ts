/**
 * Where a stage writes a version: the `images` entry of a kustomization (its `newTag`), or a
 * field named by a YAML path in a file. Paths are relative to the stage's `path`.
 */
import { z } from 'zod';
import { RelativePath } from './common.js';

export const DEFAULT_UPDATE_VALUE = '{{ramp.image}}:{{ramp.version}}';

const KustomizeImage = z.strictObject({
  kustomizeImage: z
    .strictObject({
      file: RelativePath.default('kustomization.yaml').describe('The kustomization file, relative to the stage path.'),
      name: z.string().min(1).describe('The image `name` in the kustomization `images` list whose `newTag` ramp sets.'),
    })
    .describe('Set `newTag` of an entry in a kustomization `images` list.'),
});

const YamlUpdate = z.strictObject({
  yamlUpdate: z
    .strictObject({
      file: RelativePath.describe('The YAML file, relative to the stage path.'),
      path: z.string().min(1).describe('The field to set, e.g. spec.template.spec.containers[name=web].image.'),
      value: z.string().min(1).default(DEFAULT_UPDATE_VALUE).describe('The value written, with {{ramp.image}} and {{ramp.version}} placeholders.'),
    })
    .describe('Set one field, named by a YAML path, in a YAML file.'),
});

export const UpdateTarget = z
  .union([KustomizeImage, YamlUpdate])
  .transform((target) =>
    'kustomizeImage' in target ? { kind: 'kustomizeImage' as const, ...target.kustomizeImage } : { kind: 'yamlUpdate' as const, ...target.yamlUpdate },
  )
  .describe('Where the version is written: kustomizeImage or yamlUpdate.');
