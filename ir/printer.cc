#include "ir/printer.h"
