// Runs an ONNX model with ONNX Runtime (CPU) for dlc's export tests.
//
//   node run_model.js MODEL.onnx INPUT.bin DTYPE DIMS OUTPUT_PREFIX
//
// INPUT.bin holds the model's single input, raw little-endian, of element
// type DTYPE (an ORT type name: uint8, float32, ...) and shape DIMS
// ("16,28,28,1"). Each output i is written raw to OUTPUT_PREFIX<i>.bin, and
// a line "NAME TYPE D0,D1,..." per output goes to standard output.
'use strict';
const fs = require('fs');
const ort = require('onnxruntime-node');

const kArrays = {
  uint8: Uint8Array,
  int32: Int32Array,
  float32: Float32Array,
  float64: Float64Array,
  bool: Uint8Array,
};

async function main() {
  const [modelPath, inputPath, dtype, dimsText, outputPrefix] = process.argv.slice(2);
  if (!outputPrefix || !kArrays[dtype]) {
    throw new Error('usage: node run_model.js MODEL.onnx INPUT.bin DTYPE DIMS OUTPUT_PREFIX');
  }
  const dims = dimsText.split(',').map(Number);
  const bytes = fs.readFileSync(inputPath);
  const Array = kArrays[dtype];
  const data = new Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / Array.BYTES_PER_ELEMENT);
  const session = await ort.InferenceSession.create(modelPath);
  if (session.inputNames.length !== 1) {
    throw new Error(`the model has ${session.inputNames.length} inputs; this runner feeds one`);
  }
  const results = await session.run({[session.inputNames[0]]: new ort.Tensor(dtype, data, dims)});
  session.outputNames.forEach((name, i) => {
    const tensor = results[name];
    const out = tensor.data;
    fs.writeFileSync(`${outputPrefix}${i}.bin`,
                     Buffer.from(out.buffer, out.byteOffset, out.byteLength));
    console.log(`${name} ${tensor.type} ${tensor.dims.join(',')}`);
  });
}

main().catch((error) => {
  console.error(`run_model.js: ${error.message}`);
  process.exit(1);
});
