#include "frontend/train_config.h"

#include <filesystem>
#include <initializer_list>
#include <string>
#include <string_view>

#include "frontend/parser.h"
#include "gtest/gtest.h"
#include "support/str_cat.h"

namespace dlc::dl {
namespace {

using Kind = OptimizerSpec::Kind;

// The model that the train sections in these tests train. It comes after
// them, so a section's line numbers are its positions in the test's list.
constexpr std::string_view kNetModel = "\nmodel net(x: f32[4]) {\n  return dense(x, 2)\n}\n";

std::string Source(std::initializer_list<std::string_view> lines) {
  std::string text;
  for (std::string_view line : lines) text += StrCat(line, "\n");
  return StrCat(text, kNetModel);
}

// `lines` (then the model net) parsed as file `path`, and the train
// configuration of `model` resolved.
absl::StatusOr<TrainConfig> Resolve(std::initializer_list<std::string_view> lines,
                                    std::string path = "net.dl", std::string_view model = "net") {
  absl::StatusOr<Program> program = ParseProgramText(Source(lines), std::move(path));
  if (!program.ok()) return program.status();
  return ResolveTrainConfig(*program, model);
}

// The rendered diagnostics of resolving `lines`, which must fail.
std::string Errors(std::initializer_list<std::string_view> lines) {
  absl::StatusOr<TrainConfig> config = Resolve(lines);
  if (config.ok()) return "(resolved without errors)";
  EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(config.status().message());
}

std::string Example(std::string_view name) { return StrCat(DLC_SOURCE_DIR, "/examples/", name); }

// ---- what resolves ----

TEST(TrainConfig, WithoutATrainSectionEverySettingIsTheDefault) {
  absl::StatusOr<TrainConfig> config = Resolve({});
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_FALSE(config->data.has_value());
  EXPECT_FALSE(config->test.has_value());
  EXPECT_EQ(config->loss, "softmax_cross_entropy");
  EXPECT_EQ(config->optimizer.kind, Kind::kAdam);
  EXPECT_EQ(config->optimizer.lr, 0.001);
  EXPECT_EQ(config->optimizer.beta1, 0.9);
  EXPECT_EQ(config->optimizer.beta2, 0.999);
  EXPECT_EQ(config->optimizer.epsilon, 1e-7);
  EXPECT_EQ(config->optimizer.momentum, 0);
  EXPECT_FALSE(config->optimizer.nesterov);
  EXPECT_EQ(config->optimizer.weight_decay, 0);
  EXPECT_EQ(config->batch, 32);
  EXPECT_EQ(config->epochs, 1);
  EXPECT_EQ(config->seed, 0u);
  EXPECT_TRUE(config->shuffle);
  EXPECT_FALSE(config->drop_remainder);
}

TEST(TrainConfig, AnEmptyTrainSectionKeepsTheDefaults) {
  absl::StatusOr<TrainConfig> config = Resolve({"train net {", "}"});
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_FALSE(config->data.has_value());
  EXPECT_EQ(config->batch, 32);
  EXPECT_EQ(DescribeOptimizer(config->optimizer), DescribeOptimizer(OptimizerSpec{}));
}

TEST(TrainConfig, MnistCnnExampleResolvesEverySetting) {
  absl::StatusOr<Program> program = ParseProgramFile(Example("mnist_cnn.dl"));
  ASSERT_TRUE(program.ok()) << program.status();
  absl::StatusOr<TrainConfig> config = ResolveTrainConfig(*program, "mnist_cnn");
  ASSERT_TRUE(config.ok()) << config.status();

  ASSERT_TRUE(config->data.has_value());
  EXPECT_EQ(config->data->images, Example("data/digits-train-images-idx3-ubyte.gz"));
  EXPECT_EQ(config->data->labels, Example("data/digits-train-labels-idx1-ubyte.gz"));
  EXPECT_EQ(config->data->limit, 1000);
  ASSERT_TRUE(config->test.has_value());
  EXPECT_EQ(config->test->images, Example("data/digits-test-images-idx3-ubyte.gz"));
  EXPECT_EQ(config->test->labels, Example("data/digits-test-labels-idx1-ubyte.gz"));
  EXPECT_EQ(config->test->limit, -1);
  for (const std::string& path :
       {config->data->images, config->data->labels, config->test->images, config->test->labels}) {
    EXPECT_TRUE(std::filesystem::exists(path)) << path;
  }
  EXPECT_EQ(config->loss, "softmax_cross_entropy");
  EXPECT_EQ(DescribeOptimizer(config->optimizer),
            "adam(lr=0.001, beta1=0.9, beta2=0.999, epsilon=1e-07)");
  EXPECT_EQ(config->batch, 32);
  EXPECT_EQ(config->epochs, 5);
  EXPECT_EQ(config->seed, 0u);
  EXPECT_TRUE(config->shuffle);
  EXPECT_FALSE(config->drop_remainder);
}

TEST(TrainConfig, Lenet5ExampleResolvesEverySetting) {
  absl::StatusOr<Program> program = ParseProgramFile(Example("lenet5.dl"));
  ASSERT_TRUE(program.ok()) << program.status();
  absl::StatusOr<TrainConfig> config = ResolveTrainConfig(*program, "lenet5");
  ASSERT_TRUE(config.ok()) << config.status();

  ASSERT_TRUE(config->data.has_value());
  EXPECT_EQ(config->data->images, Example("data/digits-train-images-idx3-ubyte.gz"));
  EXPECT_EQ(config->data->labels, Example("data/digits-train-labels-idx1-ubyte.gz"));
  EXPECT_EQ(config->data->limit, -1);
  ASSERT_TRUE(config->test.has_value());
  EXPECT_EQ(config->test->images, Example("data/digits-test-images-idx3-ubyte.gz"));
  EXPECT_EQ(config->test->labels, Example("data/digits-test-labels-idx1-ubyte.gz"));
  EXPECT_EQ(config->loss, "softmax_cross_entropy");
  EXPECT_EQ(config->optimizer.kind, Kind::kSgd);
  EXPECT_EQ(config->optimizer.lr, 0.05);
  EXPECT_EQ(config->optimizer.momentum, 0.9);
  EXPECT_TRUE(config->optimizer.nesterov);
  EXPECT_EQ(config->optimizer.weight_decay, 0);
  EXPECT_EQ(DescribeOptimizer(config->optimizer), "sgd(lr=0.05, momentum=0.9, nesterov=true)");
  EXPECT_EQ(config->batch, 64);
  EXPECT_EQ(config->epochs, 10);
  EXPECT_EQ(config->seed, 0u);
}

TEST(TrainConfig, EveryExampleResolves) {
  for (std::string_view name : {"mnist_mlp", "mnist_cnn", "mnist_residual", "lenet5"}) {
    absl::StatusOr<Program> program = ParseProgramFile(Example(StrCat(name, ".dl")));
    ASSERT_TRUE(program.ok()) << program.status();
    absl::StatusOr<TrainConfig> config = ResolveTrainConfig(*program, name);
    ASSERT_TRUE(config.ok()) << config.status();
    EXPECT_TRUE(config->data.has_value()) << name;
  }
}

TEST(TrainConfig, EverySettingAndOptimizerArgumentIsRead) {
  absl::StatusOr<TrainConfig> config = Resolve({
      "train net {",
      "  data = idx(\"a.gz\", \"b.gz\", limit=500)",
      "  test = idx(\"c.gz\", \"d.gz\", limit=100)",
      "  loss = softmax_cross_entropy",
      "  optimizer = adam(lr=0.01, beta1=0.8, beta2=0.99, epsilon=1e-8, weight_decay=0.0001)",
      "  batch = 128",
      "  epochs = 3",
      "  seed = 42",
      "  shuffle = false",
      "  drop_remainder = true",
      "}",
  });
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->data->limit, 500);
  EXPECT_EQ(config->test->limit, 100);
  EXPECT_EQ(config->optimizer.kind, Kind::kAdam);
  EXPECT_EQ(config->optimizer.lr, 0.01);
  EXPECT_EQ(config->optimizer.beta1, 0.8);
  EXPECT_EQ(config->optimizer.beta2, 0.99);
  EXPECT_EQ(config->optimizer.epsilon, 1e-8);
  EXPECT_EQ(config->optimizer.weight_decay, 0.0001);
  EXPECT_EQ(config->batch, 128);
  EXPECT_EQ(config->epochs, 3);
  EXPECT_EQ(config->seed, 42u);
  EXPECT_FALSE(config->shuffle);
  EXPECT_TRUE(config->drop_remainder);
}

TEST(TrainConfig, SgdArgumentsAreRead) {
  absl::StatusOr<TrainConfig> config = Resolve({
      "train net {",
      "  optimizer = sgd(lr=0.1, momentum=0.5, nesterov=false, weight_decay=0.001)",
      "}",
  });
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->optimizer.kind, Kind::kSgd);
  EXPECT_EQ(config->optimizer.lr, 0.1);
  EXPECT_EQ(config->optimizer.momentum, 0.5);
  EXPECT_FALSE(config->optimizer.nesterov);
  EXPECT_EQ(config->optimizer.weight_decay, 0.001);
}

TEST(TrainConfig, LrMayBeARational) {
  absl::StatusOr<TrainConfig> config =
      Resolve({"train net {", "  optimizer = adam(lr=1/1000)", "}"});
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_DOUBLE_EQ(config->optimizer.lr, 0.001);
}

TEST(TrainConfig, LrMayBeTheFirstPositionalArgument) {
  absl::StatusOr<TrainConfig> config =
      Resolve({"train net {", "  optimizer = sgd(1/10, momentum=0.9)", "}"});
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->optimizer.kind, Kind::kSgd);
  EXPECT_DOUBLE_EQ(config->optimizer.lr, 0.1);
  EXPECT_EQ(config->optimizer.momentum, 0.9);
}

TEST(TrainConfig, AnOptimizerWithoutParenthesesTakesItsDefaults) {
  absl::StatusOr<TrainConfig> config = Resolve({"train net {", "  optimizer = sgd", "}"});
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->optimizer.kind, Kind::kSgd);
  EXPECT_EQ(config->optimizer.lr, 0.001);
}

// ... and are normalised ("models/../labels.gz" is "labels.gz"), so messages
// name files plainly.
TEST(TrainConfig, RelativePathsResolveAgainstTheFilesFolder) {
  absl::StatusOr<TrainConfig> config = Resolve(
      {"train net {", "  data = idx(\"data/images.gz\", \"../labels.gz\")", "}"}, "models/net.dl");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->data->images, "models/data/images.gz");
  EXPECT_EQ(config->data->labels, "labels.gz");
}

TEST(TrainConfig, PathsOfAFileInTheWorkingFolderStayAsWritten) {
  absl::StatusOr<TrainConfig> config =
      Resolve({"train net {", "  data = idx(\"images.gz\", \"labels.gz\")", "}"}, "net.dl");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->data->images, "images.gz");
  EXPECT_EQ(config->data->labels, "labels.gz");
}

TEST(TrainConfig, AbsolutePathsAreKept) {
  absl::StatusOr<TrainConfig> config = Resolve(
      {"train net {", "  test = idx(\"/data/images.gz\", \"labels.gz\")", "}"}, "/models/net.dl");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_FALSE(config->data.has_value());
  EXPECT_EQ(config->test->images, "/data/images.gz");
  EXPECT_EQ(config->test->labels, "/models/labels.gz");
}

TEST(TrainConfig, OnlyTheRequestedModelsSectionIsResolved) {
  absl::StatusOr<TrainConfig> config = Resolve({
      "model other(x: f32[4]) {",
      "  return dense(x, 2)",
      "}",
      "train other {",
      "  batch = 0",
      "}",
      "train net {",
      "  batch = 8",
      "}",
  });
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->batch, 8);
}

TEST(TrainConfig, AModelTheProgramDoesNotDefineIsNotFound) {
  absl::StatusOr<TrainConfig> config = Resolve({}, "net.dl", "nte");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(config.status().message(), "net.dl: no model named 'nte'; did you mean 'net'?");
}

TEST(DescribeOptimizer, ShowsWhatIsSet) {
  OptimizerSpec adam;
  EXPECT_EQ(DescribeOptimizer(adam), "adam(lr=0.001, beta1=0.9, beta2=0.999, epsilon=1e-07)");
  adam.weight_decay = 0.0001;
  EXPECT_EQ(DescribeOptimizer(adam),
            "adam(lr=0.001, beta1=0.9, beta2=0.999, epsilon=1e-07, weight_decay=0.0001)");
  OptimizerSpec sgd{.kind = Kind::kSgd, .lr = 0.01};
  EXPECT_EQ(DescribeOptimizer(sgd), "sgd(lr=0.01)");
  sgd.momentum = 0.9;
  EXPECT_EQ(DescribeOptimizer(sgd), "sgd(lr=0.01, momentum=0.9)");
}

// ---- settings ----

TEST(TrainConfigErrors, UnknownSettingSuggestsTheNearestKey) {
  EXPECT_EQ(Errors({"train net {", "  bach = 32", "}"}),
            "net.dl:2:3: error: unknown train setting 'bach'\n"
            "    bach = 32\n"
            "    ^~~~\n"
            "  hint: did you mean 'batch'?");
}

TEST(TrainConfigErrors, UnknownSettingFarFromAnyKeyListsTheKeys) {
  EXPECT_EQ(Errors({"train net {", "  learning_rate = 0.1", "}"}),
            "net.dl:2:3: error: unknown train setting 'learning_rate'\n"
            "    learning_rate = 0.1\n"
            "    ^~~~~~~~~~~~~\n"
            "  hint: the settings are data, test, loss, optimizer, batch, epochs, seed, shuffle, "
            "drop_remainder");
}

TEST(TrainConfigErrors, SettingGivenTwiceNamesTheFirstLine) {
  EXPECT_EQ(Errors({"train net {", "  batch = 32", "  epochs = 2", "  batch = 64", "}"}),
            "net.dl:4:3: error: 'batch' is already set on line 2\n"
            "    batch = 64\n"
            "    ^~~~~\n"
            "  hint: remove one of the two");
}

// ---- optimizer ----

TEST(TrainConfigErrors, UnknownOptimizerSuggestsTheNearest) {
  EXPECT_EQ(Errors({"train net {", "  optimizer = adma(lr=0.01)", "}"}),
            "net.dl:2:15: error: unknown optimizer 'adma'\n"
            "    optimizer = adma(lr=0.01)\n"
            "                ^~~~\n"
            "  hint: did you mean 'adam'?");
  EXPECT_EQ(Errors({"train net {", "  optimizer = sdg(lr=0.01)", "}"}),
            "net.dl:2:15: error: unknown optimizer 'sdg'\n"
            "    optimizer = sdg(lr=0.01)\n"
            "                ^~~\n"
            "  hint: did you mean 'sgd'?");
}

TEST(TrainConfigErrors, UnknownOptimizerFarFromAnyListsThem) {
  EXPECT_EQ(Errors({"train net {", "  optimizer = rmsprop(lr=0.01)", "}"}),
            "net.dl:2:15: error: unknown optimizer 'rmsprop'\n"
            "    optimizer = rmsprop(lr=0.01)\n"
            "                ^~~~~~~\n"
            "  hint: the optimizers are adam and sgd");
}

TEST(TrainConfigErrors, OptimizerMustBeACall) {
  EXPECT_EQ(Errors({"train net {", "  optimizer = 0.001", "}"}),
            "net.dl:2:15: error: optimizer must be adam(...) or sgd(...), got 0.001\n"
            "    optimizer = 0.001\n"
            "                ^~~~~\n"
            "  hint: write e.g. optimizer = adam(lr=0.001)");
}

TEST(TrainConfigErrors, UnknownOptimizerArgumentSuggestsTheNearest) {
  EXPECT_EQ(Errors({"train net {", "  optimizer = adam(lr=0.01, betta1=0.8)", "}"}),
            "net.dl:2:29: error: unknown argument 'betta1' for adam\n"
            "    optimizer = adam(lr=0.01, betta1=0.8)\n"
            "                              ^~~~~~\n"
            "  hint: did you mean 'beta1'?");
}

TEST(TrainConfigErrors, UnknownOptimizerArgumentFarFromAnyListsThem) {
  EXPECT_EQ(Errors({"train net {", "  optimizer = sgd(lr=0.01, decay=0.5)", "}"}),
            "net.dl:2:28: error: unknown argument 'decay' for sgd\n"
            "    optimizer = sgd(lr=0.01, decay=0.5)\n"
            "                             ^~~~~\n"
            "  hint: sgd takes lr, momentum, nesterov, weight_decay");
}

TEST(TrainConfigErrors, AdamGivenMomentumSaysItIsAnSgdArgument) {
  EXPECT_EQ(Errors({"train net {", "  optimizer = adam(lr=0.01, momentum=0.9)", "}"}),
            "net.dl:2:29: error: adam has no argument 'momentum': it is an sgd argument\n"
            "    optimizer = adam(lr=0.01, momentum=0.9)\n"
            "                              ^~~~~~~~\n"
            "  hint: for momentum use sgd(...); otherwise remove it");
}

TEST(TrainConfigErrors, SgdGivenBeta1SaysItIsAnAdamArgument) {
  EXPECT_EQ(Errors({"train net {", "  optimizer = sgd(lr=0.01, beta1=0.9)", "}"}),
            "net.dl:2:28: error: sgd has no argument 'beta1': it is an adam argument\n"
            "    optimizer = sgd(lr=0.01, beta1=0.9)\n"
            "                             ^~~~~\n"
            "  hint: for beta1 use adam(...); otherwise remove it");
}

TEST(TrainConfigErrors, OnlyLrMayBePositional) {
  EXPECT_EQ(Errors({"train net {", "  optimizer = sgd(0.1, 0.9)", "}"}),
            "net.dl:2:24: error: sgd takes only lr without a name\n"
            "    optimizer = sgd(0.1, 0.9)\n"
            "                         ^~~\n"
            "  hint: name this argument: sgd takes lr, momentum, nesterov, weight_decay");
}

TEST(TrainConfigErrors, OptimizerArgumentGivenTwice) {
  EXPECT_EQ(Errors({"train net {", "  optimizer = adam(0.01, lr=0.001)", "}"}),
            "net.dl:2:26: error: 'lr' is given twice in adam(...)\n"
            "    optimizer = adam(0.01, lr=0.001)\n"
            "                           ^~\n"
            "  hint: remove one of the two");
}

TEST(TrainConfigErrors, NesterovWithoutMomentum) {
  EXPECT_EQ(Errors({"train net {", "  optimizer = sgd(lr=0.1, nesterov=true)", "}"}),
            "net.dl:2:27: error: nesterov has no effect without momentum\n"
            "    optimizer = sgd(lr=0.1, nesterov=true)\n"
            "                            ^~~~~~~~\n"
            "  hint: add momentum, e.g. momentum=0.9, or remove nesterov");
}

TEST(TrainConfigErrors, AdamArgumentsOutOfRange) {
  EXPECT_EQ(Errors({
                "train net {",
                "  optimizer = adam(lr=-0.1,",
                "                   beta1=1,",
                "                   beta2=-0.5,",
                "                   epsilon=0,",
                "                   weight_decay=-1)",
                "}",
            }),
            "net.dl:2:23: error: lr must be a positive number, got -0.1\n"
            "    optimizer = adam(lr=-0.1,\n"
            "                        ^~~~\n"
            "net.dl:3:26: error: beta1 must be a number in [0, 1), got 1\n"
            "                     beta1=1,\n"
            "                           ^\n"
            "net.dl:4:26: error: beta2 must be a number in [0, 1), got -0.5\n"
            "                     beta2=-0.5,\n"
            "                           ^~~~\n"
            "net.dl:5:28: error: epsilon must be a positive number, got 0\n"
            "                     epsilon=0,\n"
            "                             ^\n"
            "net.dl:6:33: error: weight_decay must be a non-negative number, got -1\n"
            "                     weight_decay=-1)\n"
            "                                  ^~\n"
            "5 errors generated.");
}

TEST(TrainConfigErrors, SgdArgumentsOutOfRange) {
  EXPECT_EQ(Errors({"train net {", "  optimizer = sgd(lr=0, momentum=1)", "}"}),
            "net.dl:2:22: error: lr must be a positive number, got 0\n"
            "    optimizer = sgd(lr=0, momentum=1)\n"
            "                       ^\n"
            "net.dl:2:34: error: momentum must be a number in [0, 1), got 1\n"
            "    optimizer = sgd(lr=0, momentum=1)\n"
            "                                   ^\n"
            "2 errors generated.");
}

TEST(TrainConfigErrors, OptimizerArgumentsOfTheWrongKind) {
  EXPECT_EQ(
      Errors({"train net {", "  optimizer = sgd(lr=\"fast\", momentum=0.9, nesterov=yes)", "}"}),
      "net.dl:2:22: error: lr must be a positive number, got the string \"fast\"\n"
      "    optimizer = sgd(lr=\"fast\", momentum=0.9, nesterov=yes)\n"
      "                       ^~~~~~\n"
      "net.dl:2:53: error: nesterov must be true or false, got the name yes\n"
      "    optimizer = sgd(lr=\"fast\", momentum=0.9, nesterov=yes)\n"
      "                                                      ^~~\n"
      "2 errors generated.");
}

// ---- numbers and booleans ----

TEST(TrainConfigErrors, QuotedNumberForBatch) {
  EXPECT_EQ(Errors({"train net {", "  batch = \"32\"", "}"}),
            "net.dl:2:11: error: batch must be a positive integer, got the string \"32\"\n"
            "    batch = \"32\"\n"
            "            ^~~~\n"
            "  hint: remove the quotes");
}

TEST(TrainConfigErrors, FractionForBatch) {
  EXPECT_EQ(Errors({"train net {", "  batch = 32.5", "}"}),
            "net.dl:2:11: error: batch must be a positive integer, got 32.5\n"
            "    batch = 32.5\n"
            "            ^~~~");
}

TEST(TrainConfigErrors, WholeNumberWrittenAsAFloatForEpochs) {
  EXPECT_EQ(Errors({"train net {", "  epochs = 1e2", "}"}),
            "net.dl:2:12: error: epochs must be a positive integer, got 1e2\n"
            "    epochs = 1e2\n"
            "             ^~~\n"
            "  hint: write it as an integer: 100");
}

TEST(TrainConfigErrors, NameForEpochs) {
  EXPECT_EQ(Errors({"train net {", "  epochs = ten", "}"}),
            "net.dl:2:12: error: epochs must be a positive integer, got the name ten\n"
            "    epochs = ten\n"
            "             ^~~");
}

TEST(TrainConfigErrors, BatchAndEpochsMustBePositive) {
  EXPECT_EQ(Errors({"train net {", "  batch = 0", "  epochs = -3", "}"}),
            "net.dl:2:11: error: batch must be a positive integer, got 0\n"
            "    batch = 0\n"
            "            ^\n"
            "net.dl:3:12: error: epochs must be a positive integer, got -3\n"
            "    epochs = -3\n"
            "             ^~\n"
            "2 errors generated.");
}

TEST(TrainConfigErrors, SeedMustBeANonNegativeInteger) {
  EXPECT_EQ(Errors({"train net {", "  seed = -1", "}"}),
            "net.dl:2:10: error: seed must be a non-negative integer, got -1\n"
            "    seed = -1\n"
            "           ^~");
}

TEST(TrainConfigErrors, IntegerTooLargeForSixtyFourBits) {
  EXPECT_EQ(Errors({"train net {", "  seed = 99999999999999999999", "}"}),
            "net.dl:2:10: error: seed must be a non-negative integer, got 99999999999999999999\n"
            "    seed = 99999999999999999999\n"
            "           ^~~~~~~~~~~~~~~~~~~~\n"
            "  hint: it does not fit in 64 bits");
}

TEST(TrainConfigErrors, BooleansAreTrueOrFalse) {
  EXPECT_EQ(Errors({"train net {", "  shuffle = 1", "  drop_remainder = \"true\"", "}"}),
            "net.dl:2:13: error: shuffle must be true or false, got 1\n"
            "    shuffle = 1\n"
            "              ^\n"
            "net.dl:3:20: error: drop_remainder must be true or false, got the string \"true\"\n"
            "    drop_remainder = \"true\"\n"
            "                     ^~~~~~\n"
            "  hint: remove the quotes\n"
            "2 errors generated.");
}

// ---- data ----

TEST(TrainConfigErrors, IdxWithOnePath) {
  EXPECT_EQ(Errors({"train net {", "  data = idx(\"images.gz\")", "}"}),
            "net.dl:2:10: error: idx takes 2 paths (images, labels), got 1\n"
            "    data = idx(\"images.gz\")\n"
            "           ^~~\n"
            "  hint: write idx(\"images.gz\", \"labels.gz\")");
}

TEST(TrainConfigErrors, IdxWithThreePaths) {
  EXPECT_EQ(Errors({"train net {", "  test = idx(\"a.gz\", \"b.gz\", \"c.gz\")", "}"}),
            "net.dl:2:10: error: idx takes 2 paths (images, labels), got 3\n"
            "    test = idx(\"a.gz\", \"b.gz\", \"c.gz\")\n"
            "           ^~~\n"
            "  hint: write idx(\"images.gz\", \"labels.gz\")");
}

TEST(TrainConfigErrors, IdxPathsMustBeNonEmptyStrings) {
  EXPECT_EQ(Errors({"train net {", "  data = idx(images, \"\")", "}"}),
            "net.dl:2:14: error: the images path must be a string, got the name images\n"
            "    data = idx(images, \"\")\n"
            "               ^~~~~~\n"
            "  hint: write the path in double quotes\n"
            "net.dl:2:22: error: the labels path is empty\n"
            "    data = idx(images, \"\")\n"
            "                       ^~\n"
            "2 errors generated.");
}

TEST(TrainConfigErrors, IdxLimitMustBePositive) {
  EXPECT_EQ(Errors({"train net {", "  data = idx(\"a.gz\", \"b.gz\", limit=0)", "}"}),
            "net.dl:2:36: error: limit must be a positive integer, got 0\n"
            "    data = idx(\"a.gz\", \"b.gz\", limit=0)\n"
            "                                     ^");
}

TEST(TrainConfigErrors, UnknownIdxArgumentSuggestsLimit) {
  EXPECT_EQ(Errors({"train net {", "  data = idx(\"a.gz\", \"b.gz\", limt=10)", "}"}),
            "net.dl:2:30: error: unknown argument 'limt' for idx\n"
            "    data = idx(\"a.gz\", \"b.gz\", limt=10)\n"
            "                               ^~~~\n"
            "  hint: did you mean 'limit'?");
}

TEST(TrainConfigErrors, DataMustBeAnIdxCall) {
  EXPECT_EQ(Errors({"train net {", "  data = \"train.gz\"", "}"}),
            "net.dl:2:10: error: data must be idx(IMAGES, LABELS), got the string \"train.gz\"\n"
            "    data = \"train.gz\"\n"
            "           ^~~~~~~~~~\n"
            "  hint: write data = idx(\"images.gz\", \"labels.gz\")");
}

TEST(TrainConfigErrors, UnknownDataFormat) {
  EXPECT_EQ(Errors({"train net {", "  data = csv(\"train.csv\")", "}"}),
            "net.dl:2:10: error: unknown data format 'csv'\n"
            "    data = csv(\"train.csv\")\n"
            "           ^~~\n"
            "  hint: the only format is idx(IMAGES, LABELS)");
}

// ---- loss ----

TEST(TrainConfigErrors, UnknownLossSuggestsTheNearest) {
  EXPECT_EQ(Errors({"train net {", "  loss = softmax_crossentropy", "}"}),
            "net.dl:2:10: error: unknown loss 'softmax_crossentropy'\n"
            "    loss = softmax_crossentropy\n"
            "           ^~~~~~~~~~~~~~~~~~~~\n"
            "  hint: did you mean 'softmax_cross_entropy'?");
}

TEST(TrainConfigErrors, UnknownLossFarFromAnyNamesTheOnlyOne) {
  EXPECT_EQ(Errors({"train net {", "  loss = mse", "}"}),
            "net.dl:2:10: error: unknown loss 'mse'\n"
            "    loss = mse\n"
            "           ^~~\n"
            "  hint: the only loss is softmax_cross_entropy");
}

TEST(TrainConfigErrors, QuotedLoss) {
  EXPECT_EQ(Errors({"train net {", "  loss = \"softmax_cross_entropy\"", "}"}),
            "net.dl:2:10: error: loss must be the name of a loss, got the string "
            "\"softmax_cross_entropy\"\n"
            "    loss = \"softmax_cross_entropy\"\n"
            "           ^~~~~~~~~~~~~~~~~~~~~~~\n"
            "  hint: write it without quotes: softmax_cross_entropy");
}

// ---- sections ----

TEST(TrainConfigErrors, TrainSectionForAnUnknownModelSuggestsTheNearest) {
  EXPECT_EQ(Errors({"train nett {", "  batch = 32", "}"}),
            "net.dl:1:7: error: train section for unknown model 'nett'\n"
            "  train nett {\n"
            "        ^~~~\n"
            "  hint: did you mean 'net'?");
}

TEST(TrainConfigErrors, TrainSectionForAnUnknownModelFarFromAnyListsThem) {
  EXPECT_EQ(Errors({"train resnet50 {", "}"}),
            "net.dl:1:7: error: train section for unknown model 'resnet50'\n"
            "  train resnet50 {\n"
            "        ^~~~~~~~\n"
            "  hint: the file defines net");
}

TEST(TrainConfigErrors, TwoTrainSectionsForOneModel) {
  EXPECT_EQ(Errors({"train net {", "  batch = 32", "}", "train net {", "  epochs = 2", "}"}),
            "net.dl:4:7: error: model 'net' already has a train section, on line 1\n"
            "  train net {\n"
            "        ^~~\n"
            "  hint: merge the two sections into one");
}

TEST(TrainConfigErrors, IndependentMistakesAreAllReported) {
  EXPECT_EQ(Errors({
                "train net {",
                "  data = idx(\"train-images.gz\")",
                "  optimizer = adam(lr=0, momentum=0.9)",
                "  batch = 32.5",
                "  shufle = false",
                "}",
            }),
            "net.dl:2:10: error: idx takes 2 paths (images, labels), got 1\n"
            "    data = idx(\"train-images.gz\")\n"
            "           ^~~\n"
            "  hint: write idx(\"images.gz\", \"labels.gz\")\n"
            "net.dl:3:23: error: lr must be a positive number, got 0\n"
            "    optimizer = adam(lr=0, momentum=0.9)\n"
            "                        ^\n"
            "net.dl:3:26: error: adam has no argument 'momentum': it is an sgd argument\n"
            "    optimizer = adam(lr=0, momentum=0.9)\n"
            "                           ^~~~~~~~\n"
            "  hint: for momentum use sgd(...); otherwise remove it\n"
            "net.dl:4:11: error: batch must be a positive integer, got 32.5\n"
            "    batch = 32.5\n"
            "            ^~~~\n"
            "net.dl:5:3: error: unknown train setting 'shufle'\n"
            "    shufle = false\n"
            "    ^~~~~~\n"
            "  hint: did you mean 'shuffle'?\n"
            "5 errors generated.");
}

}  // namespace
}  // namespace dlc::dl
