"""aiosmtpd handler of the test harness (test/harness/smtp.ts): every message it accepts becomes
one JSON line in the file named by its argument, parsed with Python's own e-mail parser."""
import email
import email.policy
import json


class JsonLines:
    def __init__(self, path):
        self.path = path

    @classmethod
    def from_cli(cls, parser, *args):
        # `aiosmtpd -c ramp_smtp_sink.JsonLines FILE`: FILE is the one argument.
        if len(args) != 1:
            parser.error("ramp_smtp_sink.JsonLines takes one argument: the JSON-lines file")
        return cls(args[0])

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8")
        message = email.message_from_bytes(raw, policy=email.policy.default)
        text = message.get_body(preferencelist=("plain",))
        html = message.get_body(preferencelist=("html",))
        record = {
            "mailFrom": envelope.mail_from,
            "rcptTo": list(envelope.rcpt_tos),
            "from": str(message.get("From", "")),
            "to": str(message.get("To", "")),
            "subject": str(message.get("Subject", "")),
            "messageId": str(message.get("Message-ID", "")),
            # SMTP's CRLF line ends back to "\n", as the sender wrote them.
            "text": text.get_content().replace("\r\n", "\n") if text is not None else None,
            "html": html.get_content().replace("\r\n", "\n") if html is not None else None,
            "raw": raw.decode("utf-8", "replace"),
        }
        # One write of one line: a reader never sees half a record.
        with open(self.path, "a", encoding="utf-8") as out:
            out.write(json.dumps(record) + "\n")
        return "250 Message accepted for delivery"
