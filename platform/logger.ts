// Structured JSON logs (pino) with secrets redacted.
import pino from 'pino';

export type Logger = pino.Logger;

export function createLogger(name: string, level = process.env.LOG_LEVEL || 'info'): Logger {
  return pino({
    name,
    level,
    redact: {
      paths: ['password', '*.password', 'req.headers.authorization', 'req.headers.cookie', 'token', '*.token', 'headers.authorization', 'headers.cookie'],
      censor: '[redacted]',
    },
  });
}
