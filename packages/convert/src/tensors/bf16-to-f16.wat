;; bf16 -> f16 with NumPy's rounding (as widening to f32 and `astype(np.float16)`), eight
;; values per step, in place. Source of the module embedded in bf16-to-f16-wasm.ts:
;;   wasm-as --enable-simd bf16-to-f16.wat -o bf16-to-f16.wasm   (binaryen)
;;
;; For a bf16 magnitude m (sign cleared):
;;   m <  0x3880  (|x| < 2^-14): an f16 subnormal or zero. x + 0.5 in f32 rounds x to a
;;                multiple of 2^-24 (round to nearest even, as NumPy), so the low bits of
;;                the sum are the f16 subnormal bits.
;;   m <  0x4780  (|x| < 65536): an f16 normal, exact (bf16 has fewer mantissa bits):
;;                rebias the exponent from 127 to 15, widen the mantissa from 7 to 10 bits.
;;   m <  0x7f80: overflows to infinity (refused unless overflow is allowed).
;;   otherwise:   infinity, or NaN keeping the top of its payload (NumPy's behaviour).
(module
  (memory (import "env" "memory") 1)

  ;; Converts the bytes [p, end) (a multiple of 16 long) in place and returns -1. With
  ;; `check` set, stops at the first group of eight holding a finite value that overflows
  ;; f16 and returns its byte offset, leaving it and what follows unconverted.
  (func (export "bf16_to_f16") (param $p i32) (param $end i32) (param $check i32) (result i32)
    (local $v v128) (local $m v128) (local $lo v128) (local $hi v128)
    (local $big v128) (local $naninf v128) (local $r v128)
    (block $done
      (br_if $done (i32.ge_u (local.get $p) (local.get $end)))
      (loop $next
        (local.set $v (v128.load (local.get $p)))
        (local.set $m (v128.and (local.get $v) (v128.const i16x8 0x7fff 0x7fff 0x7fff 0x7fff 0x7fff 0x7fff 0x7fff 0x7fff)))
        (local.set $big (i16x8.ge_u (local.get $m) (v128.const i16x8 0x4780 0x4780 0x4780 0x4780 0x4780 0x4780 0x4780 0x4780)))
        (local.set $naninf (i16x8.ge_u (local.get $m) (v128.const i16x8 0x7f80 0x7f80 0x7f80 0x7f80 0x7f80 0x7f80 0x7f80 0x7f80)))
        (if (i32.and (local.get $check) (v128.any_true (v128.andnot (local.get $big) (local.get $naninf))))
          (then (return (local.get $p))))
        ;; subnormal candidates, four lanes at a time in f32
        (local.set $lo (i32x4.sub
          (f32x4.add (i32x4.shl (i32x4.extend_low_i16x8_u (local.get $m)) (i32.const 16)) (v128.const f32x4 0.5 0.5 0.5 0.5))
          (v128.const i32x4 0x3f000000 0x3f000000 0x3f000000 0x3f000000)))
        (local.set $hi (i32x4.sub
          (f32x4.add (i32x4.shl (i32x4.extend_high_i16x8_u (local.get $m)) (i32.const 16)) (v128.const f32x4 0.5 0.5 0.5 0.5))
          (v128.const i32x4 0x3f000000 0x3f000000 0x3f000000 0x3f000000)))
        (local.set $r
          (v128.bitselect
            (i16x8.narrow_i32x4_u (local.get $lo) (local.get $hi))
            (v128.bitselect
              ;; infinity (overflow included), or NaN with the payload's top bits
              (v128.or (v128.const i16x8 0x7c00 0x7c00 0x7c00 0x7c00 0x7c00 0x7c00 0x7c00 0x7c00)
                (v128.and (v128.and (i16x8.shl (local.get $m) (i32.const 3)) (v128.const i16x8 0x03f8 0x03f8 0x03f8 0x03f8 0x03f8 0x03f8 0x03f8 0x03f8)) (local.get $naninf)))
              ;; normal: (m - (112 << 7)) << 3
              (i16x8.shl (i16x8.sub (local.get $m) (v128.const i16x8 0x3800 0x3800 0x3800 0x3800 0x3800 0x3800 0x3800 0x3800)) (i32.const 3))
              (local.get $big))
            (i16x8.lt_u (local.get $m) (v128.const i16x8 0x3880 0x3880 0x3880 0x3880 0x3880 0x3880 0x3880 0x3880))))
        (v128.store (local.get $p)
          (v128.or (local.get $r) (v128.and (local.get $v) (v128.const i16x8 0x8000 0x8000 0x8000 0x8000 0x8000 0x8000 0x8000 0x8000))))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br_if $next (i32.lt_u (local.get $p) (local.get $end)))))
    (i32.const -1)))
