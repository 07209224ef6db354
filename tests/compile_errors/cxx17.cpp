// Must not compile: tessera needs C++20, and says so first (the test compiles this with -std=c++17).
#include <tessera/tessera.hpp>
int main() {}
