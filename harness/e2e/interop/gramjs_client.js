// Drives GramJS (npm "telegram"), an MTProto client nobody on this project
// wrote, against an MTProto server: creates an auth key with GramJS's own
// Authenticator, then runs one scenario through its MTProtoSender. Prints
// one JSON object on stdout; exits non-zero on any failure.
//
// node gramjs_client.js --port P --key pub.pem [--host 127.0.0.1]
//      [--transport abridged|full|obfuscated] [--scenario NAME] [--count N]
// Scenarios: ping, container (several sends packed into one container),
// ping_delay_disconnect (the server must close the connection after the delay),
// bench (--count pipelined pings; reports process CPU time per RPC).
"use strict";
const crypto = require("crypto");
const fs = require("fs");
const bigInt = require("big-integer");
const { Api } = require("telegram");
const { MTProtoSender } = require("telegram/network");
const { ConnectionTCPAbridged, ConnectionTCPFull, ConnectionTCPObfuscated } =
  require("telegram/network/connection");
const { Logger, PromisedNetSockets } = require("telegram/extensions");
const { LogLevel } = require("telegram/extensions/Logger");
const RSA = require("telegram/crypto/RSA");

function args() {
  const a = { host: "127.0.0.1", transport: "abridged", scenario: "ping", count: 1000 };
  const v = process.argv.slice(2);
  for (let i = 0; i < v.length; i += 2) a[v[i].replace(/^--/, "")] = v[i + 1];
  if (!a.port || !a.key) throw new Error("usage: --port P --key pub.pem");
  a.port = Number(a.port);
  a.count = Number(a.count);
  return a;
}

// TL bytes serialization, for the fingerprint: SHA1(bytes(n) + bytes(e)).
function tlBytes(b) {
  const hdr = b.length < 254 ? Buffer.from([b.length])
    : Buffer.from([254, b.length & 255, (b.length >> 8) & 255, (b.length >> 16) & 255]);
  const pad = (4 - ((hdr.length + b.length) % 4)) % 4;
  return Buffer.concat([hdr, b, Buffer.alloc(pad)]);
}

// Adds the server's key to GramJS's table of trusted keys at run time.
function trustKey(pemPath) {
  const jwk = crypto.createPublicKey(fs.readFileSync(pemPath)).export({ format: "jwk" });
  const n = Buffer.from(jwk.n, "base64url");
  const e = Buffer.from(jwk.e, "base64url");
  const sha = crypto.createHash("sha1").update(Buffer.concat([tlBytes(n), tlBytes(e)])).digest();
  const fp = sha.subarray(12, 20).readBigInt64LE(0);
  RSA._serverKeys.set(fp.toString(), {
    n: bigInt(n.toString("hex"), 16),
    e: Number(bigInt(e.toString("hex"), 16)),
  });
  return fp.toString();
}

function connectionClass(name) {
  switch (name) {
    case "abridged": return ConnectionTCPAbridged;
    case "full": return ConnectionTCPFull;
    case "obfuscated": return ConnectionTCPObfuscated;
    default: throw new Error("unknown transport " + name);
  }
}

function randomId() { return bigInt(crypto.randomBytes(8).readBigInt64LE(0).toString()); }

async function main() {
  const a = args();
  const out = { transport: a.transport, scenario: a.scenario, fingerprint: trustKey(a.key) };
  const log = new Logger(LogLevel.NONE);
  let disconnected = false;
  const client = { networkSocket: PromisedNetSockets, _errorHandler: async () => {} };
  const sender = new MTProtoSender(undefined, {
    logger: log, dcId: 2, retries: 1, reconnectRetries: 0, delay: 100,
    autoReconnect: false, connectTimeout: 10, isMainSender: true, client,
    securityChecks: true, authKeyCallback: async () => {},
    updateCallback: (_c, u) => { if (u && u.state === -1) disconnected = true; },
    onConnectionBreak: () => { disconnected = true; },
  });
  // GramJS reacts to a connection the server closed by calling reconnect();
  // record that instead of reconnecting (ping_delay_disconnect checks it).
  let closedAt = null;
  sender.reconnect = () => { disconnected = true; if (closedAt === null) closedAt = Date.now(); };
  const Conn = connectionClass(a.transport);
  const conn = new Conn({ ip: a.host, port: a.port, dcId: 2, loggers: log,
                          socket: PromisedNetSockets, testServers: false });
  const t0 = Date.now();
  await sender.connect(conn);
  out.auth_key_created = sender.authKey.getKey() !== undefined && sender.authKey.getKey().length === 256;
  out.auth_key_id = sender.authKey.keyId ? sender.authKey.keyId.toString() : null;
  out.connect_ms = Date.now() - t0;

  if (a.scenario === "ping") {
    const id = randomId();
    const pong = await sender.send(new Api.Ping({ pingId: id }));
    out.pong_ok = pong.className === "Pong" && pong.pingId.equals(id);
  } else if (a.scenario === "container") {
    // Sends issued in one tick are packed by GramJS's MessagePacker into a
    // single msg_container; every one of them must be answered.
    const ids = Array.from({ length: 8 }, randomId);
    const pongs = await Promise.all(ids.map((id) => sender.send(new Api.Ping({ pingId: id }))));
    out.answered = pongs.filter((p, i) => p.className === "Pong" && p.pingId.equals(ids[i])).length;
    out.sent = ids.length;
  } else if (a.scenario === "ping_delay_disconnect") {
    const id = randomId();
    const sentAt = Date.now();
    const pong = await sender.send(new Api.PingDelayDisconnect({ pingId: id, disconnectDelay: 1 }));
    out.pong_ok = pong.className === "Pong" && pong.pingId.equals(id);
    // The server must close the connection ~1 s later: wait up to 5 s.
    const deadline = Date.now() + 5000;
    while (!disconnected && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    out.closed_by_server = disconnected;
    out.closed_after_ms = closedAt === null ? null : closedAt - sentAt;
  } else if (a.scenario === "bench") {
    const window = 64; // pings in flight
    let done = 0, next = 0;
    const cpu0 = process.cpuUsage(), w0 = process.hrtime.bigint();
    async function lane() {
      while (next < a.count) {
        next++;
        await sender.send(new Api.Ping({ pingId: randomId() }));
        done++;
      }
    }
    await Promise.all(Array.from({ length: window }, lane));
    const cpu = process.cpuUsage(cpu0), wall = Number(process.hrtime.bigint() - w0) / 1e9;
    out.rpcs = done;
    out.wall_s = wall;
    out.cpu_s = (cpu.user + cpu.system) / 1e6;
    out.cpu_us_per_rpc = (out.cpu_s * 1e6) / done;
    out.rps = done / wall;
  } else {
    throw new Error("unknown scenario " + a.scenario);
  }
  if (a.scenario !== "ping_delay_disconnect") await sender.disconnect();
  process.stdout.write(JSON.stringify(out) + "\n");
  process.exit(0);
}

main().catch((e) => {
  process.stdout.write(JSON.stringify({ error: String(e && e.stack || e) }) + "\n");
  process.exit(1);
});
