#include "tools/flags.h"

#include "absl/flags/flag.h"

// Output.
ABSL_FLAG(std::string, format, "text", "opt, dump: output format: text, or dot (Graphviz)");
ABSL_FLAG(std::string, stage, "ir",
          "dump: the stage to print: ast (syntax tree), ir (forward tensor IR), "
          "grad (training step), opt (the training step after the graph steps: simplify, "
          "move-pool-masks), fused (its fusion plan), loops (as scheduled loop nests), llvm "
          "(optimized LLVM IR), "
          "asm (this CPU's assembly)");

// Choosing and shaping the model.
ABSL_FLAG(
    std::string, model, "",
    "dump, inspect, train, eval, compile, predict, bench, export: the model to use, when the file "
    "declares several");
ABSL_FLAG(std::optional<int64_t>, batch, std::nullopt,
          "dump, inspect, train, eval, compile, bench: batch size (default: the train section's, "
          "else 1)");
ABSL_FLAG(bool, training, false, "dump: lower in training mode (dropout active)");

// dlc run.
ABSL_FLAG(std::string, graph, "", "run: the graph to run, when the file has several");
ABSL_FLAG(std::vector<std::string>, input, {},
          "run: NAME=FILE[@ROW]: feed input or parameter NAME from an IDX file (plain or "
          "gzip), starting at row ROW (default 0) and taking as many rows as NAME's first "
          "dimension");

// Training.
ABSL_FLAG(std::optional<int64_t>, seed, std::nullopt,
          "run, train, eval: random seed (default: the train section's, else 0)");
ABSL_FLAG(std::optional<int64_t>, epochs, std::nullopt,
          "train: epochs (default: the train section's)");
ABSL_FLAG(std::optional<double>, lr, std::nullopt,
          "train: learning rate (default: the train section's optimizer's)");
ABSL_FLAG(std::optional<int64_t>, limit, std::nullopt,
          "train: use only the first N training samples");
ABSL_FLAG(bool, no_shuffle, false, "train: keep the data's order in every epoch");
ABSL_FLAG(std::string, init, "",
          "train, eval, predict, export: start from the parameters in this safetensors file "
          "(export: the parameters to write)");
ABSL_FLAG(std::string, save, "",
          "train: write the parameters and optimizer state here (safetensors)");
ABSL_FLAG(std::string, backend, "jit",
          "train, eval: jit (LLVM-compiled for this CPU) or interp (the reference interpreter)");
ABSL_FLAG(std::optional<int64_t>, threads, std::nullopt,
          "train, eval, bench: threads for the jit's parallel loops (default: every core)");

// Data-parallel training (mpirun -np N dlc train).
ABSL_FLAG(double, collective_timeout, 300,
          "train, bench under mpirun: seconds a rank waits for the others in a collective "
          "(the gradient sum, start-up checks) before the job stops with an error naming "
          "the ranks that did not answer");

// Checkpoints.
ABSL_FLAG(std::optional<int64_t>, checkpoint_every, std::nullopt,
          "train: also write the --save checkpoint after every N epochs (atomically), "
          "not only at the end");
ABSL_FLAG(std::string, resume, "",
          "train: continue the run saved in this checkpoint (parameters, optimizer state, "
          "epoch and step, the run's seed and batch); --epochs is the run's total");

// dlc compile.
ABSL_FLAG(std::string, o, "",
          "compile, import, export: the output file (compile: object, or text with --emit; import: "
          "the .dl file, default: MODEL.onnx's name with .dl; export: the .onnx model)");
ABSL_FLAG(std::string, header, "", "compile: also write a C header documenting the functions here");
ABSL_FLAG(
    std::string, emit, "obj",
    "compile, opt: what to write; compile: obj (object file), asm (assembly), llvm (optimized "
    "LLVM IR), loops (scheduled loop nests), ir (the three functions as tensor IR); opt: ir, "
    "loops or llvm");
ABSL_FLAG(std::string, target_cpu, "",
          "compile, dump, opt: the CPU to compile for, as LLVM names it (default: this machine's)");
ABSL_FLAG(std::string, mattr, "",
          "compile, dump, opt: extra target features with --target-cpu, e.g. +avx512f,-fma");

// dlc train's report.
ABSL_FLAG(std::string, log, "",
          "train: write the per-epoch records (epoch, loss, accuracy, samples, steps, seconds; "
          "test results on the last) to this file: CSV if it ends in .csv, JSON lines if in "
          ".jsonl or .json, written (whole, replacing the file) at the end");
ABSL_FLAG(std::string, log_steps, "",
          "train: write a record per training step (epoch, step, the batch's size, loss and "
          "accuracy, seconds into the epoch) to this file as training goes: CSV if it ends in "
          ".csv, JSON lines if in .jsonl or .json");
ABSL_FLAG(std::string, plot, "",
          "train: draw the loss and accuracy curves (training, and test when measured) "
          "into this SVG file at the end");
ABSL_FLAG(bool, quiet, false,
          "train: print no line per epoch while training: only the set-up line, the test "
          "result, and the final epoch table and loss chart");

// dlc predict.
ABSL_FLAG(std::optional<int64_t>, index, std::nullopt,
          "predict: the test-set sample to trace (from 0)");
ABSL_FLAG(std::string, image, "",
          "predict: FILE.idx[.gz]@ROW: trace row ROW (default 0) of an IDX image file instead");

// dlc bench.
ABSL_FLAG(std::optional<int64_t>, repeats, std::nullopt,
          "bench: timed repeats; the report gives their median, min and max (default 7)");
ABSL_FLAG(std::optional<int64_t>, steps, std::nullopt,
          "bench: steps per timed repeat (default: as many as take 0.25 s)");
ABSL_FLAG(bool, json, false, "bench: print the numbers as one JSON object instead of tables");
ABSL_FLAG(bool, kernels, false,
          "bench: also profile the training step kernel by kernel: time, GFLOP/s, % of peak, "
          "bytes moved");
ABSL_FLAG(bool, no_predict, false, "bench: time the training step only, not prediction");

// ONNX models (dlc import, and .onnx files given to the other commands).
ABSL_FLAG(std::string, data, "",
          "import, train, eval, predict: IMAGES,LABELS: the training data (IDX files, plain or "
          "gzip) of a .onnx model, written into the train section (a .dl file's train section "
          "names its own)");
ABSL_FLAG(std::string, test, "",
          "import, train, eval, predict: IMAGES,LABELS: the test data of a .onnx model, as --data");
ABSL_FLAG(std::string, weights, "",
          "import: where to write the model's weights (safetensors; default: the .dl file's name "
          "with .safetensors)");
