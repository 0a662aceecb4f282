;; Softplus, shifted softplus (softplus − ln 2, SchNet's activation) and sigmoid over float32
;; arrays, four lanes at a time (wasm SIMD).
;; Both rest on t = exp(-|x|) in [0, 1]: a Cephes-style expf (range reduction by
;; k = nearest(y·log2 e), a degree-6 polynomial, 2^k from exponent bits); |x| > 87.3366, where
;; t would leave float32's normal range (t < 1.18e-38), gives t = 0.
;;   softplus(x) = max(x, 0) + log1p(t), log1p(t) = 2·atanh(s), s = t / (2 + t) ≤ 1/3
;;   sigmoid(x)  = (x ≥ 0 ? 1 : t) / (1 + t)
;; k is rounded by adding and subtracting 1.5·2^23 (the same ties-to-even rounding as
;; f32x4.nearest for |k| ≤ 127), whose sum also holds k in its low mantissa bits; pmin/pmax
;; are single instructions where min/max need NaN fix-ups, and give the same results here.
;; Each loop computes four vectors (16 floats) at a time as four interleaved chains (the `@`
;; directives, expanded by scripts/assemble.mjs): about twice as fast as one chain.
;; The caller passes byte offsets of 16-byte-aligned arrays and a count that is a multiple of 16.
(module
  (memory (export "memory") 1)

  ;; t = exp(−|x|), the shared first half (pasted into each loop: V8 inlines no function)
  ;; @define expNegAbs
    (local.set $a (f32x4.abs (local.get $x)))
    (local.set $y (f32x4.neg (f32x4.pmin (local.get $a) (f32x4.splat (f32.const 87.3366)))))
    (local.set $m (f32x4.add (f32x4.mul (local.get $y) (f32x4.splat (f32.const 1.44269504088896341))) (f32x4.splat (f32.const 12582912))))
    (local.set $k (f32x4.sub (local.get $m) (f32x4.splat (f32.const 12582912))))
    ;; r = y − k·ln 2, ln 2 split in two so that k·C1 is exact
    (local.set $r (f32x4.sub (local.get $y) (f32x4.mul (local.get $k) (f32x4.splat (f32.const 0.693359375)))))
    (local.set $r (f32x4.sub (local.get $r) (f32x4.mul (local.get $k) (f32x4.splat (f32.const -2.12194440e-4)))))
    (local.set $p (f32x4.splat (f32.const 1.9875691500e-4)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (f32x4.splat (f32.const 1.3981999507e-3))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (f32x4.splat (f32.const 8.3334519073e-3))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (f32x4.splat (f32.const 4.1665795894e-2))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (f32x4.splat (f32.const 1.6666665459e-1))))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r)) (f32x4.splat (f32.const 5.0000001201e-1))))
    (local.set $p (f32x4.add
      (f32x4.add (f32x4.mul (local.get $p) (f32x4.mul (local.get $r) (local.get $r))) (local.get $r))
      (f32x4.splat (f32.const 1))))
    ;; × 2^k: k + 127 in the exponent bits
    (local.set $p (f32x4.mul (local.get $p)
      (i32x4.shl (i32x4.add (i32x4.sub (local.get $m) (f32x4.splat (f32.const 12582912))) (i32x4.splat (i32.const 127))) (i32.const 23))))
    ;; t = 0 beyond the cut (NaN stays NaN: the comparison is false for it)
    (local.set $t (v128.andnot (local.get $p) (f32x4.gt (local.get $a) (f32x4.splat (f32.const 87.3366)))))
  ;; @end

  (func (export "softplus") (param $in i32) (param $out i32) (param $n i32)
    (call $softplusMinus (local.get $in) (local.get $out) (local.get $n) (f32.const 0)))

  ;; softplus(x) − ln 2, rounded as softplus then a float32 subtraction of ln 2 would round it
  (func (export "shiftedSoftplus") (param $in i32) (param $out i32) (param $n i32)
    (call $softplusMinus (local.get $in) (local.get $out) (local.get $n) (f32.const 0.693147180559945)))

  ;; softplus(x) − shift (x − 0 is x, −0 and NaN included)
  (func $softplusMinus (param $in i32) (param $out i32) (param $n i32) (param $shift f32)
    (local $end i32) (local $c v128)
    ;; @locals 4 $x $t $s $z $q $a $y $m $k $r $p
    (local.set $c (f32x4.splat (local.get $shift)))
    (local.set $end (i32.add (local.get $in) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $in) (local.get $end)))
        ;; @each 4 $x $t $s $z $q $a $y $m $k $r $p
        (local.set $x (v128.load offset=0 (local.get $in)))
        ;; @use expNegAbs
        (local.set $s (f32x4.div (local.get $t) (f32x4.add (local.get $t) (f32x4.splat (f32.const 2)))))
        (local.set $z (f32x4.mul (local.get $s) (local.get $s)))
        (local.set $q (f32x4.splat (f32.const 0.0769230769)))
        (local.set $q (f32x4.add (f32x4.mul (local.get $q) (local.get $z)) (f32x4.splat (f32.const 0.0909090909))))
        (local.set $q (f32x4.add (f32x4.mul (local.get $q) (local.get $z)) (f32x4.splat (f32.const 0.1111111111))))
        (local.set $q (f32x4.add (f32x4.mul (local.get $q) (local.get $z)) (f32x4.splat (f32.const 0.1428571429))))
        (local.set $q (f32x4.add (f32x4.mul (local.get $q) (local.get $z)) (f32x4.splat (f32.const 0.2))))
        (local.set $q (f32x4.add (f32x4.mul (local.get $q) (local.get $z)) (f32x4.splat (f32.const 0.3333333333))))
        (local.set $q (f32x4.add (f32x4.mul (local.get $q) (local.get $z)) (f32x4.splat (f32.const 1))))
        (v128.store offset=0 (local.get $out)
          (f32x4.sub
            (f32x4.add
              (f32x4.pmax (local.get $x) (f32x4.splat (f32.const 0)))
              (f32x4.mul (f32x4.add (local.get $s) (local.get $s)) (local.get $q)))
            (local.get $c)))
        ;; @end
        (local.set $in (i32.add (local.get $in) (i32.const 64)))
        (local.set $out (i32.add (local.get $out) (i32.const 64)))
        (br $next))))

  (func (export "sigmoid") (param $in i32) (param $out i32) (param $n i32)
    (local $end i32)
    ;; @locals 4 $x $t $a $y $m $k $r $p
    (local.set $end (i32.add (local.get $in) (i32.shl (local.get $n) (i32.const 2))))
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $in) (local.get $end)))
        ;; @each 4 $x $t $a $y $m $k $r $p
        (local.set $x (v128.load offset=0 (local.get $in)))
        ;; @use expNegAbs
        (v128.store offset=0 (local.get $out)
          (f32x4.div
            (v128.bitselect (f32x4.splat (f32.const 1)) (local.get $t) (f32x4.ge (local.get $x) (f32x4.splat (f32.const 0))))
            (f32x4.add (local.get $t) (f32x4.splat (f32.const 1)))))
        ;; @end
        (local.set $in (i32.add (local.get $in) (i32.const 64)))
        (local.set $out (i32.add (local.get $out) (i32.const 64)))
        (br $next)))))
