#include "ir/parser.h"
