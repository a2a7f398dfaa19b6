// Horizontal sums of a vector's four lanes, in one fixed order ((0 + 1) + (2 + 3)) that every
// kernel shares, so that results do not depend on which kernel summed.

/** Sum of the four f32 lanes. */
// @ts-ignore: decorator
@inline
export function hsumF(v: v128): f32 {
  return (f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1)) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

/** Sum of the four i32 lanes. */
// @ts-ignore: decorator
@inline
export function hsumI32(v: v128): i32 {
  return (i32x4.extract_lane(v, 0) + i32x4.extract_lane(v, 1)) + (i32x4.extract_lane(v, 2) + i32x4.extract_lane(v, 3));
}
