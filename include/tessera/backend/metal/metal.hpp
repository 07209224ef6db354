#pragma once
// The Metal backend's public face: whether an Apple GPU can be used by this build.

namespace tessera::metal {

/** True when this build runs on an Apple platform with a Metal device. The Metal backend is
 *  not compiled into this build, so this is false everywhere for now. */
inline bool is_available() { return false; }

}  // namespace tessera::metal
