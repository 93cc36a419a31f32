// A real SMTP server on a free loopback port that keeps every message it receives, parsed, for tests to inspect.
import { SMTPServer } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';
import { eventually } from './http';

export interface CapturedMail {
  envelope: { from: string | false; to: string[] };
  raw: Buffer;
  parsed: ParsedMail;
  to: string[];
  subject: string;
  text: string;
  header(name: string): string | undefined;
}

export interface SmtpCapture {
  port: number;
  url: string;
  messages: CapturedMail[];
  /** Waits for a message matching `match` (default 15 s). */
  waitFor(match: (m: CapturedMail) => boolean, timeoutMs?: number): Promise<CapturedMail>;
  /** Messages to this address. */
  to(address: string): CapturedMail[];
  stop(): Promise<void>;
}

export async function startSmtpCapture(): Promise<SmtpCapture> {
  const messages: CapturedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        simpleParser(raw).then(
          (parsed) => {
            const envelope = { from: session.envelope.mailFrom ? session.envelope.mailFrom.address : (false as const), to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()) };
            messages.push({
              envelope,
              raw,
              parsed,
              to: envelope.to,
              subject: parsed.subject ?? '',
              text: parsed.text ?? '',
              header: (name) => {
                const v = parsed.headers.get(name.toLowerCase());
                return v === undefined ? undefined : typeof v === 'string' ? v : JSON.stringify(v);
              },
            });
            callback();
          },
          (err) => callback(err),
        );
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.server.address() as { port: number }).port;
  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    messages,
    waitFor: (match, timeoutMs = 15_000) => eventually(async () => messages.find(match), timeoutMs),
    to: (address) => messages.filter((m) => m.to.includes(address.toLowerCase())),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
