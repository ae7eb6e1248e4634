# lit configuration for dlc's golden tests: each test is an input file whose
# RUN lines invoke the dlc tool and check its output with FileCheck.
import os
import shutil
import lit.formats

config.name = "dlc"
config.test_format = lit.formats.ShTest(execute_external=True)
config.suffixes = [".ir", ".test", ".dl"]
config.excludes = ["Inputs"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.dlc_build_dir, "tests", "lit")

config.substitutions.append(("%dlc", os.path.join(config.dlc_build_dir, "tools", "dlc")))
config.substitutions.append(("%FileCheck", config.filecheck))
config.substitutions.append(("%not", config.not_tool))
config.substitutions.append(
    ("%expect_exit", "sh " + os.path.join(os.path.dirname(__file__), "expect_exit.sh")))
config.substitutions.append(("%src", config.dlc_source_dir))

# ONNX Runtime for Node.js (scripts/setup_ort.sh installs it): tests that run
# exported models say REQUIRES: onnxruntime and call %ort_run (run_model.js).
ort_dir = os.path.join(config.dlc_source_dir, "tests", "onnx", "ort")
node = shutil.which("node")
if node and os.path.exists(
        os.path.join(ort_dir, "node_modules", "onnxruntime-node", "package.json")):
    config.available_features.add("onnxruntime")
    config.substitutions.append(("%ort_run", node + " " + os.path.join(ort_dir, "run_model.js")))
