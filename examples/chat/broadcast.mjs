// broadcast.mjs: send a message to every connection of a stage through
// Portico's @broadcast, signed with SigV4 by the AWS SDK's own signer (the
// AWS CLI and `curl --aws-sigv4` cannot sign a path with "@").
//
//   npm install @smithy/signature-v4 @aws-crypto/sha256-js
//   AWS_ACCESS_KEY_ID=AKIDPORTICOCHAT AWS_SECRET_ACCESS_KEY=portico-chat-example-secret \
//     node broadcast.mjs '{"from":"node"}'
//
// PORTICO_URL is the stage's base URL (default http://127.0.0.1:8080/dev),
// the callback URL a backend gets as https://{domainName}/{stage}.
// AWS_REGION defaults to us-east-1. Node 20 or later (global fetch).
import { SignatureV4 } from "@smithy/signature-v4";
import { Sha256 } from "@aws-crypto/sha256-js";

const base = process.env.PORTICO_URL ?? "http://127.0.0.1:8080/dev";
const data = process.argv[2] ?? "hello from broadcast.mjs";
const url = new URL(base.replace(/\/$/, "") + "/@broadcast");

const signer = new SignatureV4({
  service: "execute-api",
  region: process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? "us-east-1",
  credentials: {
    accessKeyId: process.env.AWS_ACCESS_KEY_ID,
    secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY,
    sessionToken: process.env.AWS_SESSION_TOKEN,
  },
  sha256: Sha256,
});
const signed = await signer.sign({
  method: "POST",
  protocol: url.protocol,
  hostname: url.hostname,
  port: url.port ? Number(url.port) : undefined,
  path: url.pathname,
  headers: { host: url.host, "content-type": "application/octet-stream" },
  body: data,
});
delete signed.headers.host; // fetch sends the same Host itself

const res = await fetch(url, { method: "POST", headers: signed.headers, body: data });
const text = await res.text();
if (!res.ok) {
  // 503 while NATS is down: the body says how many local connections got it.
  console.error(`${res.status} ${res.headers.get("x-amzn-errortype") ?? ""} ${text}`);
  process.exit(1);
}
console.log(`${res.status} broadcast to ${url.pathname}`);
