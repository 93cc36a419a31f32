// Runs SeaweedFS (built by scripts/build-seaweedfs.sh) as one `weed mini` process: master, volume server, filer and S3
// gateway on free loopback ports, with one access key and the bucket created at start. The S3 attachment store's
// tests and benchmarks use it as the S3-compatible service.
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { freePorts, waitForPort } from './ports';
import { superviseServer, untilServerAnswers } from './server-process';

export interface S3Server {
  endpoint: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** The gateway listens before the filer behind it has made the bucket: ready is when the bucket answers. */
async function bucketAnswers(endpoint: string, bucket: string, accessKeyId: string, secretAccessKey: string): Promise<void> {
  const client = new S3Client({ region: 'us-east-1', endpoint, forcePathStyle: true, credentials: { accessKeyId, secretAccessKey } });
  try {
    await untilServerAnswers(`SeaweedFS bucket '${bucket}'`, () => client.send(new HeadBucketCommand({ Bucket: bucket })), 60_000, 250);
  } finally {
    client.destroy();
  }
}

export function findWeed(toolsDir: string): string {
  const weed = path.join(toolsDir, 'seaweedfs', 'weed');
  if (!fs.existsSync(weed)) throw new Error(`SeaweedFS is not built: run 'bash scripts/build-seaweedfs.sh' (builds it into ${path.dirname(weed)})`);
  return weed;
}

export async function startSeaweedS3(opts: { toolsDir: string; dataDir: string; bucket: string; log?: (line: string) => void }): Promise<S3Server> {
  const weed = findWeed(opts.toolsDir);
  fs.mkdirSync(opts.dataDir, { recursive: true });
  const accessKeyId = `guichet${crypto.randomBytes(6).toString('hex')}`;
  const secretAccessKey = crypto.randomBytes(24).toString('base64url');
  const config = path.join(opts.dataDir, 's3.json');
  fs.writeFileSync(config, JSON.stringify({ identities: [{ name: 'guichet', credentials: [{ accessKey: accessKeyId, secretKey: secretAccessKey }], actions: ['Admin', 'Read', 'Write', 'List', 'Tagging'] }] }));
  const [master, masterGrpc, volume, volumeGrpc, filer, filerGrpc, s3, s3Grpc] = await freePorts(8);
  const args = [
    'mini',
    `-dir=${opts.dataDir}`,
    '-ip=127.0.0.1',
    '-ip.bind=127.0.0.1',
    `-master.port=${master}`,
    `-master.port.grpc=${masterGrpc}`,
    `-volume.port=${volume}`,
    `-volume.port.grpc=${volumeGrpc}`,
    `-filer.port=${filer}`,
    `-filer.port.grpc=${filerGrpc}`,
    `-s3.port=${s3}`,
    `-s3.port.grpc=${s3Grpc}`,
    `-s3.config=${config}`,
    `-bucket=${opts.bucket}`,
    // Only the S3 gateway is wanted; nothing may call out of this machine.
    '-webdav=false',
    '-admin.ui=false',
    '-admin.port.legacy=0',
    '-s3.port.iceberg=0',
    '-s3.port.lance=0',
    '-master.telemetry=false',
  ];
  const child = spawn(weed, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, S3_BUCKET: '' } });
  const { exited, stop } = superviseServer('seaweedfs', child, opts.log ?? (() => {}), 10_000);
  const endpoint = `http://127.0.0.1:${s3}`;
  try {
    await Promise.race([waitForPort(s3!, 60_000), exited]);
    await Promise.race([bucketAnswers(endpoint, opts.bucket, accessKeyId, secretAccessKey), exited]);
  } catch (err) {
    await stop();
    throw err;
  }
  return { endpoint, bucket: opts.bucket, accessKeyId, secretAccessKey, process: child, stop };
}
