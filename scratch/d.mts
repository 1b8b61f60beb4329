import { diagnoseConnection } from '../src/settings/diagnose.ts';
const t = Date.now();
console.log(await diagnoseConnection({ address: '127.0.0.1:34893', connection: { tls: true }, tlsMode: 'tls', tlsReason: 'x' }));
console.log(Date.now() - t, (process as any)._getActiveHandles().map((h: any) => h.constructor.name));
