"""Serve a trained model over HTTP: `neurocanvas serve RUN_OR_EXPORT` (FastAPI + uvicorn).

`inputs.py` and `standalone.py` need no NeuroCanvas (numpy, the web stack, onnxruntime): they are
copied into an exported service folder as serve_inputs.py and serve.py. `spec.py` describes a
model for serving (stored in exported ONNX files), `sources.py` opens what `serve` is given (a
run folder, a checkpoint, an ONNX file or a service folder), `service.py` writes the folder.
"""
