// The receiver users write by hand: ClockEye's document's Express example (verify the signature, answer 200,
// store nothing). PORT and WEBHOOK_SECRET from the environment.
const crypto = require('crypto');
const express = require('express');

const WEBHOOK_SECRET = process.env.WEBHOOK_SECRET;
const app = express();

function verifyWebhookSignature(payload, signature, secret) {
  const expectedSignature = crypto.createHmac('sha256', secret).update(payload).digest('hex');
  const expected = Buffer.from(`sha256=${expectedSignature}`);
  const given = Buffer.from(String(signature || ''));
  return given.length === expected.length && crypto.timingSafeEqual(given, expected);
}

app.post('/webhooks/clockeye', express.raw({ type: 'application/json' }), (req, res) => {
  const payload = req.body.toString();
  if (!verifyWebhookSignature(payload, req.headers['x-clockeye-signature'], WEBHOOK_SECRET)) {
    return res.status(401).send('Invalid signature');
  }
  JSON.parse(payload);
  res.status(200).send('OK');
});

app.listen(Number(process.env.PORT || 8082), () => console.log('express receiver listening'));
