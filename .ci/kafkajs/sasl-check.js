// kafkajs against Ferry over SASL_SSL: produce with SCRAM-SHA-256 and SCRAM-SHA-512, consume with a
// consumer group, check exact contents, and check a wrong password fails with a SASL authentication
// error. The users (alice: SCRAM-SHA-256, carol: SCRAM-SHA-512, admin: PLAIN) and their ACLs on topic
// `orders` and groups `billing*` are made by .ci/smoke-security.
// Usage: node sasl-check.js HOST:PORT CA.pem
const fs = require('fs');
const { Kafka, logLevel } = require('kafkajs');

const [broker, caFile] = process.argv.slice(2);
const ssl = { ca: [fs.readFileSync(caFile, 'utf-8')] };
const topic = 'orders';
const client = (mechanism, username, password) =>
  new Kafka({
    clientId: 'ferry-ci-sasl',
    brokers: [broker],
    ssl,
    sasl: { mechanism, username, password },
    logLevel: logLevel.NOTHING,
    retry: { retries: 2 },
  });

function fail(msg) {
  console.error('kafkajs-sasl: ' + msg);
  process.exit(1);
}

async function produce(kafka, prefix, partition, n) {
  const producer = kafka.producer();
  await producer.connect();
  const messages = [];
  for (let i = 0; i < n; i++) messages.push({ key: prefix + i, value: prefix + '-' + i, partition });
  await producer.send({ topic, messages, acks: -1 });
  await producer.disconnect();
  return messages.map((m) => m.value);
}

async function main() {
  const alice = client('scram-sha-256', 'alice', 'alice-secret');
  const carol = client('scram-sha-512', 'carol', 'carol-secret');
  const admin = client('plain', 'admin', 'admin-pass');

  const sent = [
    ...(await produce(alice, 'js256', 0, 300)),
    ...(await produce(carol, 'js512', 1, 300)),
    ...(await produce(admin, 'jsplain', 1, 1)),
  ];

  // A group member (SCRAM-SHA-512) reads the topic from the beginning; kcat's records are there too.
  const seen = new Map();
  const consumer = carol.consumer({ groupId: 'billing-kafkajs', sessionTimeout: 10000, heartbeatInterval: 500 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const v = message.value.toString();
      seen.set(v, (seen.get(v) || 0) + 1);
    },
  });
  const deadline = Date.now() + 90000;
  while (sent.some((v) => !seen.has(v)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  await consumer.disconnect();
  const missing = sent.filter((v) => !seen.has(v));
  if (missing.length > 0) fail(`${missing.length} of ${sent.length} produced messages not consumed, e.g. ${missing[0]}`);
  for (const v of sent) if (seen.get(v) !== 1) fail(`${v} consumed ${seen.get(v)} times`);

  // A wrong password: the SASL exchange fails with an authentication error, nothing is sent.
  const intruder = client('scram-sha-256', 'alice', 'wrong-secret').producer();
  try {
    await intruder.connect();
    fail('a wrong password connected');
  } catch (e) {
    if (e.name !== 'KafkaJSSASLAuthenticationError' && !/SASL|[Aa]uthentication/.test(String(e.message))) {
      fail(`a wrong password failed with ${e.name}: ${e.message}, not an authentication error`);
    }
    console.log(`kafkajs-sasl: wrong password refused: ${e.name}: ${e.message}`);
  }
  console.log(
    `kafkajs-sasl: ${sent.length} messages produced (SCRAM-SHA-256, SCRAM-SHA-512, PLAIN) and consumed exactly once by a group over SASL_SSL`,
  );
}

main().catch((e) => fail(e.stack || String(e)));
