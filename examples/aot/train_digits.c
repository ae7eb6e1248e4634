/* train_digits.c: train mnist_mlp with the code `dlc compile` made, from C.
 *
 *   dlc compile examples/mnist_mlp.dl -o mnist_mlp.o --header=mnist_mlp.h
 *   cc -std=c11 -O2 -I. train_digits.c mnist_mlp.o -lz -lm -o train_digits
 *   ./train_digits examples/data [EPOCHS [MIN_ACCURACY]]
 *
 * Reads the bundled digits (gzip IDX files) with zlib, initializes the
 * parameters (Glorot uniform kernels, zero biases) and the Adam state
 * (zeros), trains for EPOCHS epochs (default 5) on shuffled batches, printing
 * each epoch's mean loss and accuracy, then reports the test accuracy. Exits
 * 1 if the last epoch's training accuracy is below MIN_ACCURACY (default 0).
 *
 * Nothing here comes from dlc or LLVM but mnist_mlp.h and the object file.
 * The argument order below follows the tables in mnist_mlp.h; the
 * _Static_asserts check what the header's #defines let us check.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "mnist_mlp.h"

enum {
  BATCH = MNIST_MLP_BATCH,
  PIXELS = 28 * 28,
  CLASSES = 10,
  HIDDEN = 128,
  NUM_PARAMS = 4, /* dense.kernel, dense.bias, dense_1.kernel, dense_1.bias */
  NUM_STATE = 9,  /* adam.step, then adam.m / adam.v of each parameter */
};

/* train_step: x, 4 parameters, labels, 9 state tensors, loss, correct,
 * 4 updated parameters, 9 updated state tensors (+ the workspace). */
_Static_assert(MNIST_MLP_TRAIN_STEP_NUM_ARGS ==
                   1 + NUM_PARAMS + 1 + NUM_STATE + 2 + NUM_PARAMS + NUM_STATE,
               "mnist_mlp.h's train_step arguments are not the ones this program knows");
/* eval_step: x, 4 parameters, labels, loss, correct. */
_Static_assert(MNIST_MLP_EVAL_STEP_NUM_ARGS == 1 + NUM_PARAMS + 1 + 2,
               "mnist_mlp.h's eval_step arguments are not the ones this program knows");

/* Element counts of the parameters, in the header's order. */
static const size_t kParamElements[NUM_PARAMS] = {PIXELS * HIDDEN, HIDDEN, HIDDEN* CLASSES,
                                                  CLASSES};
/* Fan-in and fan-out of the kernels (0 for biases: zero-initialized). */
static const int kFanIn[NUM_PARAMS] = {PIXELS, 0, HIDDEN, 0};
static const int kFanOut[NUM_PARAMS] = {HIDDEN, 0, CLASSES, 0};
/* The state tensors: adam.step (a scalar), then m and v of each parameter. */
static const size_t kStateElements[NUM_STATE] = {1,      PIXELS* HIDDEN,  PIXELS* HIDDEN,  HIDDEN,
                                                 HIDDEN, HIDDEN* CLASSES, HIDDEN* CLASSES, CLASSES,
                                                 CLASSES};

/* ---- memory ----------------------------------------------------------- */

/* Every buffer the functions touch must be 64-byte aligned. */
static void* AllocZeroed(size_t bytes) {
  size_t rounded = (bytes + 63) / 64 * 64;
  void* p = aligned_alloc(64, rounded ? rounded : 64);
  if (!p) {
    fprintf(stderr, "out of memory (%zu bytes)\n", bytes);
    exit(1);
  }
  memset(p, 0, rounded ? rounded : 64);
  return p;
}

/* ---- data ------------------------------------------------------------- */

typedef struct {
  int64_t count;
  uint8_t* images; /* count x 28 x 28 */
  uint8_t* labels; /* count */
} Digits;

static uint32_t BigEndian32(const unsigned char b[4]) {
  return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | (uint32_t)b[3];
}

/* Reads a gzip-compressed IDX file of u8 with `rank` dimensions; returns the
 * data and stores the first dimension in *count and the product of the
 * others in *row. */
static uint8_t* ReadIdx(const char* path, int rank, int64_t* count, int64_t* row) {
  gzFile f = gzopen(path, "rb");
  if (!f) {
    fprintf(stderr, "%s: cannot open\n", path);
    exit(1);
  }
  unsigned char header[4];
  if (gzread(f, header, 4) != 4 || header[0] != 0 || header[1] != 0 || header[2] != 0x08 ||
      header[3] != rank) {
    fprintf(stderr, "%s: not an IDX file of u8 with %d dimensions\n", path, rank);
    exit(1);
  }
  int64_t dims[4] = {1, 1, 1, 1};
  for (int i = 0; i < rank; ++i) {
    unsigned char b[4];
    if (gzread(f, b, 4) != 4) {
      fprintf(stderr, "%s: truncated header\n", path);
      exit(1);
    }
    dims[i] = BigEndian32(b);
  }
  *count = dims[0];
  *row = dims[1] * dims[2] * dims[3];
  size_t bytes = (size_t)(*count * *row);
  uint8_t* data = malloc(bytes);
  if (!data || gzread(f, data, (unsigned)bytes) != (int)bytes) {
    fprintf(stderr, "%s: truncated data\n", path);
    exit(1);
  }
  gzclose(f);
  return data;
}

static Digits LoadDigits(const char* dir, const char* split) {
  char images_path[1024], labels_path[1024];
  snprintf(images_path, sizeof images_path, "%s/digits-%s-images-idx3-ubyte.gz", dir, split);
  snprintf(labels_path, sizeof labels_path, "%s/digits-%s-labels-idx1-ubyte.gz", dir, split);
  Digits d;
  int64_t rows, label_count, one;
  d.images = ReadIdx(images_path, 3, &d.count, &rows);
  d.labels = ReadIdx(labels_path, 1, &label_count, &one);
  if (rows != PIXELS || label_count != d.count) {
    fprintf(stderr, "%s: expected 28x28 images, one label each\n", images_path);
    exit(1);
  }
  return d;
}

/* ---- random numbers: splitmix64 ------------------------------------- */

static uint64_t rng_state = 0;

static uint64_t NextRandom(void) {
  uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

static double Uniform01(void) { return (double)(NextRandom() >> 11) * 0x1.0p-53; }

static void Shuffle(int64_t* order, int64_t n) {
  for (int64_t i = n - 1; i > 0; --i) {
    int64_t j = (int64_t)(NextRandom() % (uint64_t)(i + 1));
    int64_t t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
}

/* ---- training ----------------------------------------------------------- */

static void Check(int32_t code, const char* function) {
  if (code != 0) {
    fprintf(stderr, "%s failed with error code %d (see mnist_mlp.h)\n", function, (int)code);
    exit(1);
  }
}

int main(int argc, char** argv) {
  if (argc < 2 || argc > 4) {
    fprintf(stderr, "usage: %s DATA_DIR [EPOCHS [MIN_ACCURACY]]\n", argv[0]);
    return 2;
  }
  const int epochs = argc > 2 ? atoi(argv[2]) : 5;
  const double min_accuracy = argc > 3 ? atof(argv[3]) : 0.0;
  Digits train = LoadDigits(argv[1], "train");
  Digits test = LoadDigits(argv[1], "test");

  /* Parameters and state, twice: train_step reads one copy and writes the
   * other; after each step the two swap roles. */
  float* params[2][NUM_PARAMS];
  float* state[2][NUM_STATE];
  rng_state = 0;
  for (int p = 0; p < NUM_PARAMS; ++p) {
    for (int copy = 0; copy < 2; ++copy)
      params[copy][p] = AllocZeroed(kParamElements[p] * sizeof(float));
    if (kFanIn[p] > 0) { /* Glorot (Xavier) uniform */
      const double limit = sqrt(6.0 / (kFanIn[p] + kFanOut[p]));
      for (size_t i = 0; i < kParamElements[p]; ++i) {
        params[0][p][i] = (float)((2 * Uniform01() - 1) * limit);
      }
    }
  }
  for (int s = 0; s < NUM_STATE; ++s) {
    for (int copy = 0; copy < 2; ++copy)
      state[copy][s] = AllocZeroed(kStateElements[s] * sizeof(float));
  }
  uint8_t* x = AllocZeroed(BATCH * PIXELS);
  uint8_t* labels = AllocZeroed(BATCH);
  float* loss = AllocZeroed(sizeof(float));
  int32_t* correct = AllocZeroed(sizeof(int32_t));
  void* train_workspace = AllocZeroed(MNIST_MLP_TRAIN_STEP_WORKSPACE_BYTES);
  void* eval_workspace = AllocZeroed(MNIST_MLP_EVAL_STEP_WORKSPACE_BYTES);

  int64_t* order = malloc(sizeof(int64_t) * (size_t)train.count);
  for (int64_t i = 0; i < train.count; ++i) order[i] = i;
  /* The batch size is compiled in: the short last batch of each epoch is
   * dropped (the shuffle puts different samples there every epoch). */
  const int64_t batches = train.count / BATCH;
  int current = 0; /* which copy of params/state holds the latest values */
  double accuracy = 0;

  printf("Training mnist_mlp on %lld samples: batch %d, %d epochs (%lld steps each)\n\n",
         (long long)train.count, BATCH, epochs, (long long)batches);
  printf("%-7s %-9s %s\n", "Epoch", "Loss", "Accuracy");
  for (int epoch = 1; epoch <= epochs; ++epoch) {
    Shuffle(order, train.count);
    double loss_sum = 0;
    int64_t correct_sum = 0;
    for (int64_t b = 0; b < batches; ++b) {
      for (int i = 0; i < BATCH; ++i) {
        const int64_t sample = order[b * BATCH + i];
        memcpy(x + (size_t)i * PIXELS, train.images + sample * PIXELS, PIXELS);
        labels[i] = train.labels[sample];
      }
      const int next = 1 - current;
      /* In the order of mnist_mlp.h's train_step table. */
      void* args[MNIST_MLP_TRAIN_STEP_NUM_ARGS + 1];
      int a = 0;
      args[a++] = x;
      for (int p = 0; p < NUM_PARAMS; ++p) args[a++] = params[current][p];
      args[a++] = labels;
      for (int s = 0; s < NUM_STATE; ++s) args[a++] = state[current][s];
      args[a++] = loss;
      args[a++] = correct;
      for (int p = 0; p < NUM_PARAMS; ++p) args[a++] = params[next][p];
      for (int s = 0; s < NUM_STATE; ++s) args[a++] = state[next][s];
      args[a++] = train_workspace;
      Check(mnist_mlp_train_step(args), "mnist_mlp_train_step");
      current = next;
      loss_sum += *loss;
      correct_sum += *correct;
    }
    accuracy = (double)correct_sum / (double)(batches * BATCH);
    printf("%-7d %-9.4f %.4f\n", epoch, loss_sum / (double)batches, accuracy);
    fflush(stdout);
  }

  /* The test set, in order, in whole batches: eval_step counts the hits of
   * all BATCH rows, so the short last batch is left out here too. */
  int64_t test_correct = 0;
  double test_loss = 0;
  const int64_t test_batches = test.count / BATCH;
  for (int64_t b = 0; b < test_batches; ++b) {
    memcpy(x, test.images + b * BATCH * PIXELS, (size_t)BATCH * PIXELS);
    memcpy(labels, test.labels + b * BATCH, BATCH);
    /* In the order of mnist_mlp.h's eval_step table. */
    void* args[MNIST_MLP_EVAL_STEP_NUM_ARGS + 1];
    int a = 0;
    args[a++] = x;
    for (int p = 0; p < NUM_PARAMS; ++p) args[a++] = params[current][p];
    args[a++] = labels;
    args[a++] = loss;
    args[a++] = correct;
    args[a++] = eval_workspace;
    Check(mnist_mlp_eval_step(args), "mnist_mlp_eval_step");
    test_loss += *loss;
    test_correct += *correct;
  }
  const int64_t tested = test_batches * BATCH;
  printf("\nTest: loss %.4f, accuracy %.4f on %lld held-out samples\n",
         test_batches ? test_loss / (double)test_batches : 0.0,
         tested ? (double)test_correct / (double)tested : 0.0, (long long)tested);

  int status = 0;
  if (accuracy < min_accuracy) {
    fprintf(stderr, "FAIL: final training accuracy %.4f is below %.4f\n", accuracy, min_accuracy);
    status = 1;
  }

  for (int copy = 0; copy < 2; ++copy) {
    for (int p = 0; p < NUM_PARAMS; ++p) free(params[copy][p]);
    for (int s = 0; s < NUM_STATE; ++s) free(state[copy][s]);
  }
  free(x);
  free(labels);
  free(loss);
  free(correct);
  free(train_workspace);
  free(eval_workspace);
  free(order);
  free(train.images);
  free(train.labels);
  free(test.images);
  free(test.labels);
  return status;
}
