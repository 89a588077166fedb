#!/usr/bin/env node
// A testee of the rebootconf client-under-test protocol (docs/client-protocol.md), in Node:
//   node testee.js --sdk popcore   npm @alicloud/pop-core 1.8.0 (RPCClient, v1 signatures)
//   node testee.js --sdk tea       npm @alicloud/ecs20140526 7.11.x (Tea, ACS3 or v1)
// It prints a hello line, then reads one JSON command per line on stdin and prints one JSON
// result per line on stdout, in order, until stdin ends. Nothing printed carries a secret.
'use strict';

const readline = require('readline');

const PROTOCOL = 'rebootconf-client/1';
const OPERATIONS = ['RebootInstance', 'StartInstance', 'StopInstance', 'RunInstances', 'CreateInstance',
  'DeleteInstance', 'DeleteInstances', 'DescribeInstances', 'DescribeInstanceStatus'];

// redact strips Signature/AccessKeySecret/SecurityToken values from text that may embed a URL.
function redact(s) {
  return String(s).replace(/(Signature|AccessKeySecret|SecurityToken)=[^&\s"]*/g, '$1=REDACTED');
}

function print(msg) {
  process.stdout.write(JSON.stringify(msg) + '\n');
}

// credentials resolves the command's credential source: environment variable names, or
// harness-made throwaway values given inline.
function credentials(c) {
  if (c.source === 'inline') {
    return { accessKeyId: c.accessKeyId, accessKeySecret: c.accessKeySecret };
  }
  if (c.source === 'env') {
    const get = (name) => (name ? process.env[name] : undefined);
    const cr = { accessKeyId: get(c.accessKeyIdEnv), accessKeySecret: get(c.accessKeySecretEnv), securityToken: get(c.securityTokenEnv) };
    if (!cr.accessKeyId || !cr.accessKeySecret) {
      throw new Error('credentials: ' + c.accessKeyIdEnv + ' and ' + c.accessKeySecretEnv + ' must be set');
    }
    return cr;
  }
  throw new Error('credentials source ' + JSON.stringify(c.source) + ': want env or inline');
}

function clientError(e) {
  return { ok: false, error: { kind: 'client', message: redact(e && e.message ? e.message : e), exception: (e && e.name) || 'Error' } };
}

// popcore: the harness's params are API names already; arrays become Name.N (Tag.N.Key)
// inside pop-core, and the InstanceIds array of DescribeInstances is a JSON string on the wire.
const popcore = {
  hello: { client: 'popcore', sdk: '@alicloud/pop-core 1.8.0',
    features: { operations: OPERATIONS, signatureVersions: ['v1'], methods: ['GET', 'POST'], formats: ['JSON'] } },
  async call(cmd, cr) {
    const RPCClient = require('@alicloud/pop-core').RPCClient || require('@alicloud/pop-core');
    // verbose=true makes request() return [body, entry], so a success reports its status too.
    const client = new RPCClient({ endpoint: cmd.endpoint, accessKeyId: cr.accessKeyId, accessKeySecret: cr.accessKeySecret,
      securityToken: cr.securityToken || undefined, apiVersion: '2014-05-26' }, true);
    const params = Object.assign({}, cmd.params);
    if (Array.isArray(params.InstanceIds)) params.InstanceIds = JSON.stringify(params.InstanceIds);
    try {
      const [data, entry] = await client.request(cmd.operation, params, { method: cmd.method || 'GET', timeout: cmd.timeoutMs || 10000 });
      return { ok: true, httpStatus: entry && entry.response ? entry.response.statusCode : 0, requestId: data && data.RequestId, body: data };
    } catch (err) {
      const data = err.data;
      const status = err.entry && err.entry.response ? err.entry.response.statusCode : 0;
      if (!(err.code && data)) return clientError(err);
      return { ok: false, httpStatus: status, requestId: data.RequestId,
        error: { kind: 'api', code: String(err.code), message: redact(data.Message), exception: err.name || 'Error' } };
    } finally {
      client.keepAliveAgent.destroy();
    }
  },
};

// lower turns API names into the camelCase keys Tea models take (InstanceId → instanceId).
function lower(s) { return s.charAt(0).toLowerCase() + s.slice(1); }

// tea: typed requests of @alicloud/ecs20140526; the response body's toMap() has API names.
const tea = {
  hello: { client: 'tea-ts', sdk: '@alicloud/ecs20140526 7.11.x',
    features: { operations: OPERATIONS, signatureVersions: ['acs3', 'v1'], formats: ['JSON'] } },
  async call(cmd, cr) {
    const Ecs = require('@alicloud/ecs20140526');
    const { $OpenApiUtil } = require('@alicloud/openapi-core');
    const $dara = require('@darabonba/typescript');
    const u = new URL(cmd.endpoint);
    const config = new $OpenApiUtil.Config({ accessKeyId: cr.accessKeyId, accessKeySecret: cr.accessKeySecret,
      securityToken: cr.securityToken || undefined, endpoint: u.host, protocol: u.protocol.replace(':', ''), regionId: cmd.region });
    if (cmd.signatureVersion === 'v1') config.signatureAlgorithm = 'v2';
    const client = new Ecs.default(config);
    const fields = {};
    for (const [k, v] of Object.entries(cmd.params || {})) {
      if (k === 'InstanceIds') fields.instanceIds = JSON.stringify(v);
      else if (k === 'Tag') fields.tag = v.map((t) => ({ key: t.Key, value: t.Value }));
      else fields[lower(k)] = v;
    }
    const Req = Ecs[cmd.operation + 'Request'];
    const req = new Req(fields);
    if (fields.tag) req.tag = fields.tag.map((t) => new Ecs[cmd.operation + 'RequestTag'](t));
    const runtime = new $dara.RuntimeOptions({ readTimeout: cmd.timeoutMs || 10000, connectTimeout: 5000, autoretry: false });
    try {
      const resp = await client[lower(cmd.operation) + 'WithOptions'](req, runtime);
      const body = resp.body ? resp.body.toMap() : {};
      return { ok: true, httpStatus: resp.statusCode, requestId: body.RequestId, body: body };
    } catch (err) {
      const data = err.data || {};
      if (!err.statusCode || !err.code) return clientError(err);
      const rid = data.RequestId || (err.requestId !== 'undefined' ? err.requestId : undefined);
      return { ok: false, httpStatus: err.statusCode, requestId: rid,
        error: { kind: 'api', code: String(err.code), message: redact(data.Message || ''), exception: err.name || 'Error' } };
    }
  },
};

async function main() {
  const i = process.argv.indexOf('--sdk');
  const which = i >= 0 ? process.argv[i + 1] : '';
  const sdk = { popcore, tea }[which];
  if (!sdk) {
    process.stderr.write('testee.js: --sdk ' + JSON.stringify(which) + ': want popcore or tea\n');
    process.exit(2);
  }
  print(Object.assign({ type: 'hello', protocol: PROTOCOL, language: 'node' }, sdk.hello));
  const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of rl) {
    if (!line.trim()) continue;
    const cmd = JSON.parse(line);
    let out;
    if (!OPERATIONS.includes(cmd.operation)) {
      out = { unsupported: 'operation ' + cmd.operation + ' is not mapped' };
    } else {
      try {
        out = await sdk.call(cmd, credentials(cmd.credentials || {}));
      } catch (e) {
        out = clientError(e);
      }
    }
    print(Object.assign({ type: 'result', id: cmd.id }, out));
  }
}

main().catch((e) => {
  process.stderr.write('testee.js: ' + redact(e && e.stack ? e.stack : e) + '\n');
  process.exit(1);
});
