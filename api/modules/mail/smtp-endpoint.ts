// The desk's receiving SMTP endpoint: accepts mail on a loopback port and hands each message to the intake.
import { SMTPServer } from 'smtp-server';
import type { Logger } from '../../../platform/logger';
import type { MailIntake } from './intake';

const MAX_MESSAGE_BYTES = 30 * 1024 * 1024;

export async function startSmtpEndpoint(intake: MailIntake, opts: { host: string; port: number; log: Logger }): Promise<SMTPServer> {
  const server = new SMTPServer({
    name: 'guichet',
    banner: 'Guichet mail intake',
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    size: MAX_MESSAGE_BYTES,
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if ((stream as unknown as { sizeExceeded?: boolean }).sizeExceeded) {
          callback(Object.assign(new Error('message too large'), { responseCode: 552 }));
          return;
        }
        const envelope = { from: session.envelope.mailFrom ? session.envelope.mailFrom.address : false as const, to: session.envelope.rcptTo.map((r) => r.address) };
        intake.receive(Buffer.concat(chunks), envelope).then(
          () => callback(),
          (err) => {
            // A temporary failure: the sending MTA keeps the message and retries, nothing is lost.
            opts.log.error({ err }, 'inbound mail failed');
            callback(Object.assign(new Error('temporary failure, try again later'), { responseCode: 451 }));
          },
        );
      });
    },
  });
  server.on('error', (err) => opts.log.error({ err }, 'smtp endpoint error'));
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  opts.log.info({ host: opts.host, port: opts.port }, 'smtp endpoint listening');
  return server;
}
