// Ferry's schema registry driven by a client written by others: @kafkajs/confluent-schema-registry
// registers schemas, encodes, kafkajs produces and consumes through Ferry, the library decodes;
// an incompatible change under BACKWARD must be refused with HTTP 409. Avro, then JSON Schema.
// Usage: node registry-check.js <bootstrap host:port> <registry url>
const assert = require('assert')
const { Kafka, logLevel } = require('kafkajs')
const { SchemaRegistry, SchemaType } = require('@kafkajs/confluent-schema-registry')

const [bootstrap, registryUrl] = process.argv.slice(2)
const registry = new SchemaRegistry({ host: registryUrl })
const kafka = new Kafka({ brokers: [bootstrap], clientId: 'ferry-registry-check', logLevel: logLevel.NOTHING })

async function roundTrip(topic, id, value) {
  const admin = kafka.admin()
  await admin.connect()
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true })
  await admin.disconnect()
  const producer = kafka.producer()
  await producer.connect()
  await producer.send({ topic, messages: [{ key: 'k1', value: await registry.encode(id, value) }] })
  await producer.disconnect()

  const consumer = kafka.consumer({ groupId: `${topic}-group` })
  await consumer.connect()
  await consumer.subscribe({ topic, fromBeginning: true })
  const decoded = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no record consumed from ${topic}`)), 60000)
    consumer.run({
      eachMessage: async ({ message }) => {
        clearTimeout(timer)
        // Confluent's wire format: magic byte 0, then the schema id.
        assert.strictEqual(message.value[0], 0)
        assert.strictEqual(message.value.readInt32BE(1), id)
        resolve(await registry.decode(message.value))
      },
    })
  })
  await consumer.disconnect()
  assert.deepStrictEqual({ ...decoded }, value) // avsc decodes into a record class
}

async function expectConflict(schema, subject) {
  try {
    await registry.register(schema, { subject })
  } catch (e) {
    assert.strictEqual(e.status, 409, `expected HTTP 409, got ${e.status}: ${e.message}`)
    return
  }
  throw new Error(`an incompatible schema was accepted under ${subject}`)
}

async function main() {
  const order = {
    type: 'record', name: 'Order', namespace: 'smoke',
    fields: [{ name: 'id', type: 'string' }, { name: 'amount', type: 'int' }],
  }
  const avro = await registry.register(
    { type: SchemaType.AVRO, schema: JSON.stringify(order) }, { subject: 'registry-avro-value' })
  await roundTrip('registry-avro', avro.id, { id: 'o-1', amount: 42 })
  // A new field without a default: the new schema cannot read old records.
  const orderBad = { ...order, fields: [...order.fields, { name: 'customer', type: 'string' }] }
  await expectConflict({ type: SchemaType.AVRO, schema: JSON.stringify(orderBad) }, 'registry-avro-value')
  // With a default it is compatible and gets a new id.
  const orderV2 = { ...order, fields: [...order.fields, { name: 'note', type: 'string', default: '' }] }
  const avro2 = await registry.register(
    { type: SchemaType.AVRO, schema: JSON.stringify(orderV2) }, { subject: 'registry-avro-value' })
  assert.notStrictEqual(avro2.id, avro.id)
  console.log(`registry: Avro schema id ${avro.id} round-tripped through kafkajs; incompatible change refused (409)`)

  const shipment = {
    $schema: 'http://json-schema.org/draft-07/schema#', type: 'object',
    properties: { id: { type: 'string' }, weight: { type: 'number' } }, required: ['id'],
  }
  const json = await registry.register(
    { type: SchemaType.JSON, schema: JSON.stringify(shipment) }, { subject: 'registry-json-value' })
  await roundTrip('registry-json', json.id, { id: 's-1', weight: 2.5 })
  // A newly required property: old records lack it.
  const shipmentBad = { ...shipment, properties: { ...shipment.properties, carrier: { type: 'string' } }, required: ['id', 'carrier'] }
  await expectConflict({ type: SchemaType.JSON, schema: JSON.stringify(shipmentBad) }, 'registry-json-value')
  console.log(`registry: JSON Schema id ${json.id} round-tripped through kafkajs; incompatible change refused (409)`)
}

main().then(
  () => process.exit(0),
  (e) => { console.error(`registry: FAILED: ${e.stack || e}`); process.exit(1) })
