// Delivery status notifications: which recipients failed for good, and which of our messages came back.
import { simpleParser } from 'mailparser';
import { bounceOf } from './bounces';

const dsn = (recipients: string[], returned = 'Message-ID: <out-1@desk.test>\r\nReferences: <ticket-42@desk.test>\r\n') => {
  const b = 'b-1';
  return Buffer.from(
    [
      'From: MAILER-DAEMON@mx.test',
      'To: support@desk.test',
      'Subject: Delivery Status Notification',
      `Content-Type: multipart/report; report-type=delivery-status; boundary="${b}"`,
      '',
      `--${b}`,
      'Content-Type: text/plain',
      '',
      'Your message could not be delivered.',
      `--${b}`,
      'Content-Type: message/delivery-status',
      '',
      'Reporting-MTA: dns; mx.test',
      '',
      recipients.join('\r\n\r\n'),
      '',
      `--${b}`,
      'Content-Type: text/rfc822-headers',
      '',
      returned,
      `--${b}--`,
      '',
    ].join('\r\n'),
  );
};

const parse = async (raw: Buffer) => bounceOf(await simpleParser(raw), raw);

it('should read the permanently failed recipients and the returned message ids of a delivery status notification', async () => {
  const bounce = await parse(
    dsn([
      'Final-Recipient: rfc822; Ana@Example.test\r\nAction: failed\r\nStatus: 5.1.1\r\nDiagnostic-Code: smtp; 550 5.1.1 User unknown',
      'Final-Recipient: rfc822; bo@example.test\r\nAction: delayed\r\nStatus: 4.4.1',
      'Final-Recipient: rfc822; cy@example.test\r\nAction: failed\r\nStatus: 5.2.2\r\nDiagnostic-Code: smtp; 552 mailbox\r\n full',
      'Final-Recipient: rfc822; <Dee@Example.test>\r\nAction: failed\r\nStatus: 5.7.1\r\nDiagnostic-Code: smtp; 550 5.7.1 rejected\r\n by policy',
    ]),
  );
  expect(bounce).toEqual({
    failed: [
      { address: 'ana@example.test', status: '5.1.1', diagnostic: '550 5.1.1 User unknown' },
      { address: 'dee@example.test', status: '5.7.1', diagnostic: '550 5.7.1 rejected by policy' },
    ],
    references: ['<out-1@desk.test>', '<ticket-42@desk.test>'],
  });
});

it('should not take a delay, a temporary failure, a full mailbox or an ordinary message for a bounce', async () => {
  expect(await parse(dsn(['Final-Recipient: rfc822; cy@example.test\r\nAction: failed\r\nStatus: 5.2.2']))).toBeNull();
  expect(await parse(dsn(['Final-Recipient: rfc822; bo@example.test\r\nAction: delayed\r\nStatus: 4.4.1']))).toBeNull();
  expect(await parse(dsn(['Final-Recipient: rfc822; bo@example.test\r\nAction: failed\r\nStatus: 4.2.2']))).toBeNull();
  expect(await parse(Buffer.from('From: a@example.test\r\nSubject: hi\r\nContent-Type: text/plain\r\n\r\nAction: failed\r\nStatus: 5.1.1\r\n'))).toBeNull();
});
