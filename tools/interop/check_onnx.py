#!/usr/bin/python3
"""Checks ONNX files written by `rnn export`, run by hand: /usr/bin/python3 tools/interop/check_onnx.py FILE.onnx...

Needs Debian's python3-onnx (apt-get install -y python3-onnx); the tests never need it. For each file: the ONNX
checker with full_check=True (which runs shape inference too), then strict shape inference with type checks; prints
the inputs, the outputs with their inferred shapes, and the metadata keys. Exits 1 if any file fails.
"""
import sys

import onnx


def dims(value):
    return [d.dim_param or d.dim_value for d in value.type.tensor_type.shape.dim]


def check(path):
    model = onnx.load(path)
    onnx.checker.check_model(model, full_check=True)
    inferred = onnx.shape_inference.infer_shapes(model, check_type=True, strict_mode=True)
    opset = [o.version for o in model.opset_import if o.domain in ("", "ai.onnx")]
    inputs = [f"{i.name}{dims(i)}" for i in model.graph.input]
    outputs = [f"{o.name}{dims(o)}" for o in inferred.graph.output]
    keys = [p.key for p in model.metadata_props]
    print(f"{path}: ok (opset {opset[0]}, IR {model.ir_version}); inputs {', '.join(inputs)}; outputs {', '.join(outputs)}; metadata {', '.join(keys)}")


def main(paths):
    if not paths:
        print(__doc__.strip().splitlines()[0], file=sys.stderr)
        return 2
    failed = 0
    for path in paths:
        try:
            check(path)
        except Exception as e:  # the checker raises its own ValidationError, shape inference InferenceError
            print(f"{path}: FAILED: {e}")
            failed += 1
    print(f"onnx {onnx.__version__}: {len(paths) - failed} of {len(paths)} files pass")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
