// kafkajs against Ferry: create a topic, produce 1,000 messages, consume them with a two-member
// consumer group, and check every message arrived exactly once and the members split the partitions.
// Usage: node group-check.js HOST:PORT
const { Kafka, logLevel } = require('kafkajs');

const broker = process.argv[2];
const topic = 'kafkajs-check';
const groupId = 'kafkajs-group';
const total = 1000;
const kafka = new Kafka({ clientId: 'ferry-ci', brokers: [broker], logLevel: logLevel.NOTHING });

function fail(msg) {
  console.error('kafkajs: ' + msg);
  process.exit(1);
}

async function main() {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 4, replicationFactor: 1 }], waitForLeaders: true });
  await admin.disconnect();

  const seen = new Map(); // value -> count
  const partitionsOf = [new Set(), new Set()];
  const consumers = [0, 1].map(() => kafka.consumer({ groupId, sessionTimeout: 10000, heartbeatInterval: 500 }));
  let joined = 0;
  for (let i = 0; i < consumers.length; i++) {
    const c = consumers[i];
    c.on(c.events.GROUP_JOIN, () => { joined++; });
    await c.connect();
    await c.subscribe({ topic, fromBeginning: true });
    await c.run({
      eachMessage: async ({ partition, message }) => {
        partitionsOf[i].add(partition);
        const v = message.value.toString();
        seen.set(v, (seen.get(v) || 0) + 1);
      },
    });
  }
  // Wait for both members to be in one stable generation before producing.
  const deadline = Date.now() + 60000;
  while (joined < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  await new Promise((r) => setTimeout(r, 3000));

  const producer = kafka.producer();
  await producer.connect();
  const messages = [];
  for (let i = 0; i < total; i++) messages.push({ key: 'k' + i, value: 'm' + i });
  await producer.send({ topic, messages });
  await producer.disconnect();

  while (seen.size < total && Date.now() < deadline + 60000) await new Promise((r) => setTimeout(r, 200));
  for (const c of consumers) await c.disconnect();

  if (seen.size !== total) fail(`consumed ${seen.size} distinct of ${total}`);
  for (const [v, n] of seen) if (n !== 1) fail(`${v} consumed ${n} times`);
  const [a, b] = partitionsOf;
  if (a.size === 0 || b.size === 0) fail(`a member got no partitions: ${[...a]} / ${[...b]}`);
  for (const p of a) if (b.has(p)) fail(`partition ${p} consumed by both members`);
  console.log(`kafkajs: ${total} messages consumed exactly once by 2 members (partitions ${[...a]} | ${[...b]})`);
}

main().catch((e) => fail(e.stack || String(e)));
