'use strict';
/*
 * cloudlet's Node.js runtime: the program a nodejs18.x/20.x/22.x function's process runs (`node
 * node_bootstrap.js`), with the environment Lambda sets (AWS_LAMBDA_RUNTIME_API, _HANDLER,
 * LAMBDA_TASK_ROOT, ...) and the function's code directory as its cwd. It loads the handler, then
 * loops on the Runtime API: GET /next, call handler(event, context, callback), POST the JSON
 * result or the error document; a handler that cannot be loaded is reported to /init/error.
 * Behaviour follows AWS's Node.js runtime as documented and observed:
 *   https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html
 *   https://docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html
 *   https://docs.aws.amazon.com/lambda/latest/dg/nodejs-context.html
 *   https://docs.aws.amazon.com/lambda/latest/dg/nodejs-exceptions.html
 *   https://docs.aws.amazon.com/lambda/latest/dg/nodejs-logging.html
 * Node core only (Node 18+), no dependencies.
 *
 * Handlers: "file.fn" or "dir/file.fn" (also "file.obj.fn"); the file is <module>.js, .mjs or .cjs
 * in LAMBDA_TASK_ROOT (in that order), else a package found from there (node_modules, NODE_PATH).
 * .mjs files, and .js files under a package.json with "type": "module", are ES modules loaded with
 * import(); the others are CommonJS, loaded with require().
 *
 * Completion, as on AWS: a handler that returns a promise (an async handler) answers when it
 * settles; `callback(err, result)` answers once the event loop is empty (observed with the
 * 'beforeExit' event), or at once if context.callbackWaitsForEmptyEventLoop is false;
 * context.done/succeed/fail answer at once. The first answer wins. A handler that neither returns
 * a promise nor calls back answers null when the event loop empties.
 *
 * Output: console.* writes one record "<ISO time>\t<request id>\t<LEVEL>\t<util.format(...)>", with
 * the request id "undefined" during init. A record's inner newlines are written as "\r" so the
 * environment keeps it as one log event (as Lambda's log sink does); process.stdout.write output
 * is passed through as it is (one event a line).
 *
 * Failures: an invocation error is posted as {"errorType", "errorMessage", "trace": stack lines} and
 * logged as "...\tERROR\tInvoke Error \t{errorType, errorMessage, stack}"; a thrown value that is
 * not an Error reports its typeof and String() with an empty trace. Init failures are logged as
 * "Uncaught Exception" and posted to /init/error: Runtime.ImportModuleError (the require stack ends
 * with this file where AWS shows /var/runtime/index.mjs), Runtime.HandlerNotFound,
 * Runtime.UserCodeSyntaxError, Runtime.MalformedHandlerName, or the module's own error. An
 * uncaught exception or unhandled rejection fails the invocation in progress and ends the process
 * (exit 129 / 128), so the next invoke starts a new environment.
 */

const fs = require('fs');
const http = require('http');
const path = require('path');
const util = require('util');
const { pathToFileURL } = require('url');

// Taken before any user code runs: instrumentation that patches http.request (X-Ray and the
// like) must not see the runtime's own calls.
const httpRequest = http.request;
const stdoutWrite = process.stdout.write.bind(process.stdout);
const toJSON = JSON.stringify;

const API_PREFIX = '/2018-06-01/runtime';
const ERROR_CONTENT_TYPE = 'application/vnd.aws.lambda.error+json';
const EXIT_UNCAUGHT_EXCEPTION = 129;
const EXIT_UNHANDLED_REJECTION = 128;

let requestId; // the invocation in progress, for log records (undefined during init, as on AWS)
let phase = 'init'; // 'init' | 'idle' | 'invoke'
let current = null; // the invocation in progress: see invoke()

// ---------------------------------------------------------------- Runtime API client
const [apiHost, apiPort] = (() => {
  const address = process.env.AWS_LAMBDA_RUNTIME_API || '127.0.0.1:9001';
  const i = address.lastIndexOf(':');
  return [address.slice(0, i), Number(address.slice(i + 1))];
})();
// One kept-alive connection. An idle keep-alive socket is unref'ed by the agent, so it does not
// keep the event loop alive: 'beforeExit' still tells when the function's own work is done.
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

// AWS SDK for JavaScript v2 (bundled by older functions) ignores AWS_ENDPOINT_URL, which v3 honours.
// When a function loads it, point its global configuration at cloudlet, so its calls stay local.
const Module = require('module');
const originalLoad = Module._load;
let sdkV2Configured = false;
Module._load = function loadWithEndpoint(request, parent, isMain) {
  const loaded = originalLoad.apply(this, arguments);
  if (!sdkV2Configured && process.env.AWS_ENDPOINT_URL && typeof request === 'string'
      && (request === 'aws-sdk' || request.startsWith('aws-sdk/'))) {
    sdkV2Configured = true;
    try {
      const core = originalLoad('aws-sdk/lib/core', parent, false);
      if (core && core.config && typeof core.config.update === 'function') {
        core.config.update({ endpoint: process.env.AWS_ENDPOINT_URL, s3ForcePathStyle: true });
      }
    } catch (e) {
      // not the v2 SDK after all: nothing to configure
    }
  }
  return loaded;
};

function apiCall(method, route, body, headers) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? null : Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
    const req = httpRequest({
      host: apiHost,
      port: apiPort,
      method,
      path: API_PREFIX + route,
      agent,
      headers: Object.assign({ 'Content-Length': data ? data.length : 0 }, headers || {}),
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(data || undefined);
  });
}

// The process's peak RSS in KiB, sent with each answer for the REPORT line and the memory limit (see
// MAX_RSS_HEADER in runtime_api.py): VmHWM of /proc/self/status through one open descriptor. Not
// resourceUsage().maxRSS: Linux keeps in it the peak of the image before exec (the forked server).
let statusFd = null;
const statusBuf = Buffer.alloc(8192);
function peakRssKb() {
  try {
    if (statusFd === null) statusFd = fs.openSync('/proc/self/status', 'r');
    const n = fs.readSync(statusFd, statusBuf, 0, statusBuf.length, 0);
    const m = /VmHWM:\s*(\d+) kB/.exec(statusBuf.toString('latin1', 0, n));
    if (m) return Number(m[1]);
  } catch (_) {
    // no /proc: fall back
  }
  return process.resourceUsage().maxRSS;
}

function headerSafe(value) {
  return String(value).replace(/[^\x20-\x7e]/g, '?');
}

// ---------------------------------------------------------------- output
function writeRecord(text) {
  try {
    stdoutWrite(String(text).replace(/\r?\n/g, '\r') + '\n');
  } catch (_) {
    // stdout is gone: nothing to report to
  }
}

function logRecord(level, message) {
  writeRecord(`${new Date().toISOString()}\t${requestId}\t${level}\t${message}`);
}

function patchConsole() {
  const levels = {
    log: 'INFO', info: 'INFO', debug: 'DEBUG', warn: 'WARN', error: 'ERROR', trace: 'TRACE', fatal: 'FATAL',
  };
  for (const [method, level] of Object.entries(levels)) {
    console[method] = (...args) => logRecord(level, util.format(...args));
  }
}

// ---------------------------------------------------------------- errors
function runtimeError(type, message) {
  const err = new Error(message);
  err.name = type;
  Error.captureStackTrace(err, runtimeError); // the stack's first line names the type
  return err;
}

function isError(value) {
  return value instanceof Error || util.types.isNativeError(value);
}

/** errorType, errorMessage and stack lines, as Node's runtime reports them. A thrown value that is
 * not an Error is reported by its type ("string", "object", ...) and its string form, no stack. */
function describe(value) {
  if (isError(value)) {
    let type = value.name;
    if (typeof type !== 'string' || !type) type = (value.constructor && value.constructor.name) || 'Error';
    const message = typeof value.message === 'string' ? value.message : String(value.message);
    const lines = typeof value.stack === 'string' ? value.stack.split('\n') : [];
    return { errorType: type, errorMessage: message, stack: lines };
  }
  let message;
  try {
    message = String(value);
  } catch (_) {
    message = util.inspect(value);
  }
  return { errorType: value === null ? 'object' : typeof value, errorMessage: message, stack: [] };
}

function errorDocument(d) {
  return toJSON({ errorType: d.errorType, errorMessage: d.errorMessage, trace: d.stack });
}

function logError(label, d, extra) {
  const doc = Object.assign({ errorType: d.errorType, errorMessage: d.errorMessage }, extra || {}, { stack: d.stack });
  logRecord('ERROR', `${label} \t${toJSON(doc)}`);
}

// ---------------------------------------------------------------- loading the handler
function isFile(p) {
  try {
    return fs.statSync(p).isFile();
  } catch (_) {
    return false;
  }
}

function isESModule(file) {
  if (file.endsWith('.mjs')) return true;
  if (file.endsWith('.cjs')) return false;
  // .js: the "type" of the nearest package.json
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (isFile(pkg)) {
      try {
        return JSON.parse(fs.readFileSync(pkg, 'utf8')).type === 'module';
      } catch (_) {
        return false;
      }
    }
    if (path.dirname(dir) === dir) return false;
  }
}

/** The module's exports (in a box: a CommonJS module may export a thenable). ES modules are
 * imported; CommonJS files are required, falling back to import() for ES module syntax in a .js
 * file that no package.json declares a module (a Node without require(esm), top-level await). */
async function loadModule(file) {
  const url = pathToFileURL(file).href;
  if (isESModule(file)) return { exports: await import(url) };
  try {
    return { exports: require(file) };
  } catch (err) {
    if (err && (err.code === 'ERR_REQUIRE_ESM' || err.code === 'ERR_REQUIRE_ASYNC_MODULE')) {
      return { exports: await import(url) };
    }
    throw err;
  }
}

async function loadHandler(handlerString, taskRoot) {
  const slash = handlerString.lastIndexOf('/');
  const rest = handlerString.slice(slash + 1);
  const dot = rest.indexOf('.');
  if (dot <= 0 || dot === rest.length - 1) throw runtimeError('Runtime.MalformedHandlerName', 'Bad handler');
  const moduleName = handlerString.slice(0, slash + 1) + rest.slice(0, dot);
  const functionPath = rest.slice(dot + 1).split('.');

  let exported;
  try {
    const base = path.resolve(taskRoot, moduleName);
    let file = ['.js', '.mjs', '.cjs'].map((ext) => base + ext).find(isFile);
    if (file === undefined) file = require.resolve(moduleName, { paths: [taskRoot] });
    exported = (await loadModule(file)).exports;
  } catch (err) {
    if (err && (err.code === 'MODULE_NOT_FOUND' || err.code === 'ERR_MODULE_NOT_FOUND')) {
      throw runtimeError('Runtime.ImportModuleError', String(err));
    }
    if (err instanceof SyntaxError || (isError(err) && err.name === 'SyntaxError')) {
      throw runtimeError('Runtime.UserCodeSyntaxError', String(err));
    }
    throw err; // the module's own error at load time, reported as it is
  }

  let fn = exported;
  for (const part of functionPath) fn = fn === undefined || fn === null ? undefined : fn[part];
  if (fn === undefined || fn === null) {
    throw runtimeError('Runtime.HandlerNotFound', `${handlerString} is undefined or not exported`);
  }
  if (typeof fn !== 'function') {
    throw runtimeError('Runtime.HandlerNotFound', `${handlerString} is not a function`);
  }
  return fn;
}

// ---------------------------------------------------------------- context
function parseJsonHeader(value) {
  if (!value) return undefined;
  try {
    // header bytes arrive decoded as latin-1; the document is UTF-8
    const doc = JSON.parse(Buffer.from(value, 'latin1').toString('utf8'));
    return doc !== null && typeof doc === 'object' ? doc : undefined;
  } catch (_) {
    return undefined;
  }
}

function makeContext(inv, headers) {
  const env = process.env;
  const deadline = Number(headers['lambda-runtime-deadline-ms']) || 0;
  const identity = parseJsonHeader(headers['lambda-runtime-cognito-identity']);
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: headers['lambda-runtime-invoked-function-arn'],
    memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE, // a string, as on AWS
    awsRequestId: inv.requestId,
    logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
    identity: identity && {
      cognitoIdentityId: identity.cognitoIdentityId,
      cognitoIdentityPoolId: identity.cognitoIdentityPoolId,
    },
    clientContext: parseJsonHeader(headers['lambda-runtime-client-context']),
    getRemainingTimeInMillis() {
      return Math.max(deadline - Date.now(), 0);
    },
    // legacy completion methods: they answer at once, without waiting for the event loop
    done(err, result) {
      if (err !== undefined && err !== null) inv.fail(err);
      else inv.succeed(result);
    },
    succeed(result) {
      inv.succeed(result);
    },
    fail(err) {
      inv.fail(err);
    },
  };
}

// ---------------------------------------------------------------- invoking
/** [kind, body, error type]: the result as JSON (undefined, a function... answer null). Throws for
 * what JSON cannot hold (a cycle, a BigInt): the invocation then fails with that TypeError. */
function responseOutcome(result) {
  const body = toJSON(result === undefined ? null : result);
  return ['response', body === undefined ? 'null' : body, null];
}

class Invocation {
  constructor(requestId) {
    this.requestId = requestId;
    this.answered = false; // an outcome was chosen (it may wait for the event loop)
    this.deferred = null; // the chosen outcome, sent when the event loop is empty
    this.posted = null; // the promise of the POST that reports the outcome
    this.settle = null; // resolves the promise invoke() returns
  }

  succeed(result) {
    if (this.answered) return;
    this.answered = true;
    this.post(() => responseOutcome(result));
  }

  fail(err) {
    if (this.answered) return;
    this.answered = true;
    this.post(() => this.errorOutcome(err));
  }

  errorOutcome(err) {
    const d = describe(err);
    logError('Invoke Error', d);
    return ['error', errorDocument(d), d.errorType];
  }

  /** callback(err, result): answers once the event loop is empty, unless told not to wait. */
  callback(err, result, wait) {
    if (this.answered) return;
    this.answered = true;
    const failed = err !== undefined && err !== null;
    const outcome = failed ? () => this.errorOutcome(err) : () => responseOutcome(result);
    if (wait) this.deferred = outcome;
    else this.post(outcome);
  }

  /** The event loop is empty (process 'beforeExit'). */
  loopEmpty() {
    if (this.posted) return;
    if (this.deferred) {
      this.post(this.deferred);
    } else if (!this.answered) {
      this.answered = true; // no promise, no callback, nothing left to run: the answer is null
      this.post(() => ['response', 'null', null]);
    }
  }

  post(make) {
    if (this.posted) return;
    let kind, body, errorType;
    try {
      [kind, body, errorType] = make();
    } catch (err) { // the result could not be serialized (a cycle, a BigInt, ...)
      [kind, body, errorType] = this.errorOutcome(err);
    }
    const rid = encodeURIComponent(this.requestId);
    const headers = kind === 'error'
      ? { 'Lambda-Runtime-Function-Error-Type': headerSafe(errorType), 'Content-Type': ERROR_CONTENT_TYPE }
      : { 'Content-Type': 'application/json' };
    headers['X-Cloudlet-Max-Rss-Kb'] = String(peakRssKb());
    this.posted = apiCall('POST', `/invocation/${rid}/${kind}`, body, headers).then(() => {}, fatal);
    this.posted.then(() => this.settle());
  }
}

function isThenable(value) {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return false;
  return typeof value.then === 'function';
}

function invoke(handler, next) {
  const headers = next.headers;
  const inv = new Invocation(headers['lambda-runtime-aws-request-id'] || '');
  current = inv;
  requestId = inv.requestId;
  phase = 'invoke';
  const traceId = headers['lambda-runtime-trace-id'];
  if (traceId) process.env._X_AMZN_TRACE_ID = traceId;
  else delete process.env._X_AMZN_TRACE_ID;
  const done = new Promise((resolve) => { inv.settle = resolve; });

  let event;
  try {
    event = JSON.parse(next.body.toString('utf8'));
  } catch (err) {
    inv.fail(runtimeError('Runtime.UnmarshalError', `Unable to unmarshal input: ${err.message}`));
    return done;
  }
  const context = makeContext(inv, headers);
  const callback = (err, result) => inv.callback(err, result, context.callbackWaitsForEmptyEventLoop !== false);
  try {
    const result = handler(event, context, callback);
    if (isThenable(result)) result.then((value) => inv.succeed(value), (err) => inv.fail(err));
  } catch (err) {
    inv.fail(err);
  }
  return done;
}

// ---------------------------------------------------------------- process-level failures
function fatal(err) {
  // The Runtime API is gone (the environment was stopped) or answered nonsense: nothing to do.
  writeRecord(`cloudlet node runtime: Runtime API call failed: ${err && err.message}`);
  process.exit(1);
}

async function reportInitError(err) {
  const d = describe(err);
  logError('Uncaught Exception', d);
  await apiCall('POST', '/init/error', errorDocument(d), {
    'Lambda-Runtime-Function-Error-Type': headerSafe(d.errorType),
    'Content-Type': ERROR_CONTENT_TYPE,
  }).catch(() => {});
  process.exit(1);
}

/** An error nothing caught: the invocation in progress fails with it, then the process exits
 * (the environment is not reused), as AWS's runtime does. */
function processFailure(label, err, code, describeFn) {
  if (phase === 'init') {
    reportInitError(err);
    return;
  }
  const d = describeFn(err);
  logError(label, d, d.extra);
  const inv = current;
  if (phase === 'invoke' && inv && !inv.posted) {
    inv.answered = true;
    inv.post(() => ['error', errorDocument(d), d.errorType]);
  }
  const wait = phase === 'invoke' && inv && inv.posted ? inv.posted : Promise.resolve();
  wait.then(() => process.exit(code), () => process.exit(code));
}

function describeRejection(reason) {
  const inner = describe(reason);
  const message = isError(reason) ? String(reason) : inner.errorMessage;
  const d = describe(runtimeError('Runtime.UnhandledPromiseRejection', message));
  d.extra = {
    reason: { errorType: inner.errorType, errorMessage: inner.errorMessage, stack: inner.stack },
    promise: {},
  };
  return d;
}

// ---------------------------------------------------------------- main
// A pre-started process (cloudlet's spares.py) learns its function first: the environment Lambda
// sets and the working directory, applied before anything of the function is loaded.
async function takeAssignment() {
  const answer = await apiCall('GET', '/cloudlet/assignment');
  if (answer.status !== 200) process.exit(1);
  const doc = JSON.parse(answer.body.toString('utf8'));
  for (const name of Object.keys(process.env)) delete process.env[name];
  Object.assign(process.env, doc.env);
  process.chdir(doc.cwd);
  Module._initPaths(); // NODE_PATH is read at start: read it again
}

async function main() {
  if (process.env._CLOUDLET_SPARE) await takeAssignment();
  patchConsole();
  process.on('uncaughtException', (err) => processFailure(
    'Uncaught Exception', err, EXIT_UNCAUGHT_EXCEPTION, describe));
  process.on('unhandledRejection', (reason) => processFailure(
    'Unhandled Promise Rejection', reason, EXIT_UNHANDLED_REJECTION, describeRejection));
  process.on('beforeExit', () => {
    if (phase === 'invoke' && current) current.loopEmpty();
  });

  const taskRoot = process.env.LAMBDA_TASK_ROOT || process.cwd();
  let handler;
  try {
    handler = await loadHandler(process.env._HANDLER || '', taskRoot);
  } catch (err) {
    await reportInitError(err);
    return;
  }

  for (;;) {
    phase = 'idle';
    let next;
    try {
      next = await apiCall('GET', '/invocation/next');
    } catch (err) {
      fatal(err);
      return;
    }
    if (next.status !== 200) {
      writeRecord(`cloudlet node runtime: /invocation/next answered ${next.status}: ${next.body}`);
      process.exit(1);
    }
    await invoke(handler, next);
  }
}

main();
