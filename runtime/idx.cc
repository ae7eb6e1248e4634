#include "runtime/idx.h"
