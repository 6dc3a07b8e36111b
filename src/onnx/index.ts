// RNN Lab's ONNX module: export, import (RNN Lab and torch.onnx.export graphs), onnxruntime inference.
// Only ort.ts touches onnxruntime-node, and only when openOrtSession is first called.
export { exportModel, IO as ONNX_IO } from './export';
export { importModel, type ImportedModel } from './import';
export { openOrtSession, type OrtModel, type OrtState } from './ort';
export { exportSeq2SeqDecoder, exportSeq2SeqEncoder, SEQ2SEQ_IO, SEQ2SEQ_SPEC_KEY } from './seq2seqExport';
export { openSeq2SeqOrt, type Seq2SeqOrt } from './seq2seqOrt';
export { importSeq2Seq, type ImportedSeq2Seq } from './seq2seqImport';
