#pragma once
// Placeholder replaced below.
#include "generator.hpp"
