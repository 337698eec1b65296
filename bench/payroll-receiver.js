// The HTTP target of the kill-recovery benchmark (bench/kill-recovery.sh): a payroll system's endpoint that verifies
// every request's signature with the npm `standardwebhooks` library (as a receiver outside clockrelay would) and
// records each arrival, one line each: arrival time (ms since the epoch) TAB webhook-id TAB the record's eventId TAB
// its userId TAB "ok" or "bad-signature: <reason>". Answers 200 to verified requests, 401 to the others.
// PORT, WEBHOOK_SECRET (whsec_...) and ARRIVALS (the file to append to) from the environment.
const fs = require('fs');
const http = require('http');
const { Webhook } = require('standardwebhooks');

const webhook = new Webhook(process.env.WEBHOOK_SECRET);
const arrivals = fs.createWriteStream(process.env.ARRIVALS, { flags: 'a' });

http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (chunk) => chunks.push(chunk));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    let verdict = 'ok';
    let record = {};
    try {
      record = webhook.verify(body, req.headers);
    } catch (e) {
      verdict = `bad-signature: ${e.message}`;
      try { record = JSON.parse(body); } catch (ignored) { /* the line says what it can */ }
    }
    arrivals.write(`${Date.now()}\t${req.headers['webhook-id']}\t${record.eventId}\t${record.userId}\t${verdict}\n`);
    res.writeHead(verdict === 'ok' ? 200 : 401, { 'Content-Type': 'text/plain' });
    res.end(verdict === 'ok' ? 'OK' : 'Invalid signature');
  });
}).listen(Number(process.env.PORT || 18090), '127.0.0.1', () => console.log('payroll receiver listening'));
