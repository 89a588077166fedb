#!/usr/bin/env node
// Runs one ECS RPC request with @alicloud/pop-core's RPCClient for the rebootconf sdkclients
// suite. Input (stdin, one JSON object):
//   {endpoint, accessKeyId, accessKeySecret, securityToken?, apiVersion?, action, params,
//    method: "GET"|"POST", timeoutMs?}
// Output (stdout, one JSON line):
//   {ok, code, message, statusCode, requestId, data}
// statusCode comes from the client's own exchange record (entry.response.statusCode), which
// pop-core keeps but never looks at. Nothing printed carries the secret or a Signature.
'use strict';

const RPCClient = require('@alicloud/pop-core').RPCClient || require('@alicloud/pop-core');

// redact strips Signature/AccessKeySecret/SecurityToken values from text that may embed a URL.
function redact(s) {
  return String(s).replace(/(Signature|AccessKeySecret|SecurityToken)=[^&\s"]*/g, '$1=REDACTED');
}

function print(out) {
  process.stdout.write(JSON.stringify(out) + '\n');
}

function readStdin() {
  return new Promise((resolve, reject) => {
    const chunks = [];
    process.stdin.on('data', (c) => chunks.push(c));
    process.stdin.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    process.stdin.on('error', reject);
  });
}

async function main() {
  let req;
  try {
    req = JSON.parse(await readStdin());
  } catch (e) {
    print({ ok: false, code: 'Rebootconf.BadInput', message: 'stdin is not one JSON object: ' + e.message });
    return;
  }
  const method = String(req.method || 'GET').toUpperCase();
  if (method !== 'GET' && method !== 'POST') {
    print({ ok: false, code: 'Rebootconf.BadInput', message: 'method must be GET or POST, got ' + method });
    return;
  }
  let client;
  try {
    // verbose=true makes request() return [body, entry], so a success reports its status too.
    client = new RPCClient({
      endpoint: req.endpoint,
      accessKeyId: req.accessKeyId,
      accessKeySecret: req.accessKeySecret,
      securityToken: req.securityToken || undefined,
      apiVersion: req.apiVersion || '2014-05-26',
    }, true);
  } catch (e) {
    print({ ok: false, code: 'Rebootconf.BadInput', message: redact(e.message) });
    return;
  }
  const opts = { method: method, timeout: req.timeoutMs || 10000 };
  try {
    const [data, entry] = await client.request(req.action, req.params || {}, opts);
    print({
      ok: true,
      statusCode: entry && entry.response ? entry.response.statusCode : null,
      requestId: data && data.RequestId,
      data: data,
    });
  } catch (err) {
    const data = err.data;
    print({
      ok: false,
      // An API error carries err.code (the body's Code); anything else is a client-side failure.
      code: err.code && data ? String(err.code) : 'Rebootconf.ClientError',
      message: redact(data && data.Message !== undefined ? data.Message : (err.name + ': ' + err.message)),
      statusCode: err.entry && err.entry.response ? err.entry.response.statusCode : null,
      requestId: data && data.RequestId,
      data: data,
    });
  } finally {
    client.keepAliveAgent.destroy();
  }
}

main().catch((e) => {
  print({ ok: false, code: 'Rebootconf.ClientError', message: redact(e && e.stack ? e.stack : e) });
});
