// A run's state goes into a checkpoint's metadata and comes back exactly.
#include "runtime/run_state.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace dlc {
namespace {

RunState Example() {
  RunState state;
  state.seed = 12345678901234ull;
  state.batch = 32;
  state.shuffle = false;
  state.samples = 1000;
  state.total_epochs = 9;
  for (int64_t e = 1; e <= 2; ++e) {
    EpochStats s;
    s.epoch = e;
    s.loss = 1.0 / 3.0 + static_cast<double>(e);  // needs all 17 digits
    s.accuracy = 0.1 * static_cast<double>(e);
    s.samples = 1000;
    s.steps = 32;
    s.seconds = 0.123456789;
    state.epochs.push_back(s);
  }
  PartialEpoch p;
  p.epoch = 3;
  p.steps = 5;
  p.samples = 160;
  p.loss_sum = 123.45678901234567;
  p.correct = 101;
  p.seconds = 0.5;
  state.partial = p;
  return state;
}

TEST(RunState, RoundTripsExactly) {
  const RunState state = Example();
  std::map<std::string, std::string> metadata{{"model", "m"}};
  AddRunStateMetadata(state, metadata);
  EXPECT_EQ(metadata.at("model"), "m");  // other keys are left alone
  EXPECT_EQ(metadata.at("epochs"), "2");
  auto back = ReadRunStateMetadata(metadata, "f.safetensors");
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->seed, state.seed);
  EXPECT_EQ(back->batch, 32);
  EXPECT_FALSE(back->shuffle);
  EXPECT_EQ(back->samples, 1000);
  EXPECT_EQ(back->total_epochs, 9);
  ASSERT_EQ(back->epochs.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(back->epochs[i].epoch, state.epochs[i].epoch);
    EXPECT_EQ(back->epochs[i].loss, state.epochs[i].loss);  // bit for bit
    EXPECT_EQ(back->epochs[i].accuracy, state.epochs[i].accuracy);
    EXPECT_EQ(back->epochs[i].steps, 32);
    EXPECT_EQ(back->epochs[i].seconds, state.epochs[i].seconds);
  }
  ASSERT_TRUE(back->partial.has_value());
  EXPECT_EQ(back->partial->epoch, 3);
  EXPECT_EQ(back->partial->steps, 5);
  EXPECT_EQ(back->partial->samples, 160);
  EXPECT_EQ(back->partial->loss_sum, 123.45678901234567);
  EXPECT_EQ(back->partial->correct, 101);
}

TEST(RunState, AtAnEpochBoundaryThereIsNoEpochInProgress) {
  RunState state = Example();
  state.partial.reset();
  std::map<std::string, std::string> metadata;
  AddRunStateMetadata(state, metadata);
  EXPECT_FALSE(metadata.contains("epoch_in_progress"));
  auto back = ReadRunStateMetadata(metadata, "f");
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_FALSE(back->partial.has_value());
}

TEST(RunState, MissingKeysSayTheFileCannotBeResumed) {
  std::map<std::string, std::string> metadata{{"model", "m"}};
  auto state = ReadRunStateMetadata(metadata, "w.safetensors");
  ASSERT_FALSE(state.ok());
  EXPECT_EQ(state.status().message(),
            "w.safetensors has no 'seed' in its metadata: it was not saved by dlc train, so it can "
            "start a new run (--init) but not continue one (--resume)");
}

TEST(RunState, MalformedValuesAreRejectedNamingTheKey) {
  std::map<std::string, std::string> good;
  AddRunStateMetadata(Example(), good);
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"batch", "-3"},
      {"batch", "32x"},
      {"shuffle", "yes"},
      {"history", "1 0.5 0.5 1000"},                            // too few fields
      {"history", "2 0.5 0.5 1000 32 1\n1 0.5 0.5 1000 32 1"},  // epochs out of order
      {"epoch_in_progress", "7 5 160 1.5 101 0.5"},             // not the epoch after the last done
      {"epoch_in_progress", "3 0 0 0 0 0"},                     // no step done
  };
  for (const auto& [key, value] : bad) {
    std::map<std::string, std::string> metadata = good;
    metadata[key] = value;
    auto state = ReadRunStateMetadata(metadata, "f");
    ASSERT_FALSE(state.ok()) << key << "=" << value;
    EXPECT_NE(state.status().message().find(key), std::string::npos) << state.status();
  }
  std::map<std::string, std::string> metadata = good;
  metadata["epochs"] = "3";
  auto state = ReadRunStateMetadata(metadata, "f");
  ASSERT_FALSE(state.ok());
  EXPECT_EQ(state.status().message(),
            "f: metadata says 3 epochs were trained but its history has 2");
}

// Issue #12: a stored batch of 0 said only "batch size must be positive",
// naming neither the checkpoint nor the key.
TEST(RunState, ZeroBatchSamplesOrEpochsNameTheCheckpointAndTheKey) {
  RunState run;
  run.batch = 32;
  run.samples = 1000;
  run.total_epochs = 5;
  std::map<std::string, std::string> good;
  AddRunStateMetadata(run, good);
  for (const std::string key : {"batch", "samples", "total_epochs"}) {
    std::map<std::string, std::string> metadata = good;
    metadata[key] = "0";
    auto state = ReadRunStateMetadata(metadata, "run.st");
    ASSERT_FALSE(state.ok()) << key;
    EXPECT_THAT(std::string(state.status().message()),
                testing::StartsWith("run.st: metadata '" + key + "' is 0, but a run's "));
  }
}

}  // namespace
}  // namespace dlc
