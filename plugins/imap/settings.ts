// The mailbox settings as the admin saved them (checked against guichet-plugin.json before the plug-in sees them).

export interface ImapSettings {
  host: string;
  port?: number;
  security?: 'tls' | 'starttls' | 'none';
  caCertificate?: string;
  user: string;
  password: string;
  mailbox?: string;
  /** YYYY-MM-DD: messages the server received before this day are left alone. */
  receivedSince?: string;
  afterIntake?: 'move' | 'flag';
  moveTo?: string;
  idle?: boolean;
  pollSeconds?: number;
}

/** The keyword a message taken in keeps when it is flagged rather than moved. */
export const TAKEN_IN = '$Guichet';
/** The keyword of a message the desk could not take in after several tries: left in place for a person to look at. */
export const FAILED = '$GuichetFailed';
