// The packaged VSIX as installed by code-server: small, one platform's onnxruntime only, and that
// onnxruntime complete enough to run a model from the installed folder in a plain Node process.
import { strict as assert } from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { onnx } from '../../src/onnx/proto';

const vsix = process.env.RNNLAB_E2E_VSIX ?? '';
const extensionsDir = process.env.RNNLAB_E2E_EXTENSIONS_DIR ?? '';

/** A one-node ONNX model, y = x + x over float[3], built with the project's own ONNX protobuf code. */
function doublingModel(): Uint8Array {
  const floats = (name: string) => ({
    name, type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: [{ dimValue: 3 }] } } },
  });
  return onnx.ModelProto.encode({
    irVersion: 8, opsetImport: [{ domain: '', version: 17 }], producerName: 'rnn-lab-e2e',
    graph: { name: 'double', node: [{ opType: 'Add', input: ['x', 'x'], output: ['y'] }], input: [floats('x')], output: [floats('y')] },
  }).finish();
}

describe('e2e: the packaged VSIX', () => {
  let installed: string;

  before(() => {
    assert.ok(vsix && extensionsDir, 'RNNLAB_E2E_VSIX / RNNLAB_E2E_EXTENSIONS_DIR are not set: run with `node scripts/test.mjs e2e`');
    const folders = fs.readdirSync(extensionsDir).filter((name) => name.startsWith('rnn-lab.rnn-lab-'));
    assert.equal(folders.length, 1, `expected one installed rnn-lab.rnn-lab-* folder in ${extensionsDir}, got ${folders}`);
    installed = path.join(extensionsDir, folders[0]);
  });

  it('is under 25 MB', () => {
    const mb = fs.statSync(vsix).size / 1024 / 1024;
    assert.ok(mb < 25, `${vsix} is ${mb.toFixed(1)} MB`);
  });

  it('holds onnxruntime binaries for this platform only, and no other node_modules', () => {
    const bin = path.join(installed, 'node_modules', 'onnxruntime-node', 'bin', 'napi-v6');
    const platforms = fs.readdirSync(bin).flatMap((system) => fs.readdirSync(path.join(bin, system)).map((arch) => `${system}/${arch}`));
    assert.deepEqual(platforms, [`${process.platform}/${process.arch}`]);
    assert.deepEqual(fs.readdirSync(path.join(installed, 'node_modules')).sort(), ['onnxruntime-common', 'onnxruntime-node']);
  });

  it('runs a model with the onnxruntime-node it ships, from the installed folder', () => {
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'rnnlab-vsix-'));
    try {
      const model = path.join(scratch, 'double.onnx');
      fs.writeFileSync(model, doublingModel());
      const script = `const ort = require(${JSON.stringify(path.join(installed, 'node_modules', 'onnxruntime-node'))});
        ort.InferenceSession.create(${JSON.stringify(model)}).then(async (session) => {
          const out = await session.run({ x: new ort.Tensor('float32', Float32Array.from([1, 2, 3.5]), [3]) });
          console.log(JSON.stringify({ y: Array.from(out.y.data), version: ort.env.versions.node }));
        }).catch((e) => { console.error(e); process.exit(1); });`;
      const result = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }));
      assert.deepEqual(result.y, [2, 4, 7]);
      assert.match(result.version, /^\d+\.\d+\.\d+/);
    } finally {
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  });
});
