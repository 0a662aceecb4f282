;; A layer's bias and its gradient, on rows of `width` floats (a multiple of 4), four lanes at a
;; time (wasm SIMD), in the memory of TF.js's wasm backend (imported; the arguments are byte
;; offsets of its tensors).
;;   addRows: a row vector added to every row, out[r, k] = a[r, k] + b[k]. One float addition
;;            per element, as TF.js's own Add: the same result, bit for bit.
;;   sumRows: the rows summed, out[k] = Σ_r a[r, k], in row order (rows ≥ 1), in one pass.
(module
  (import "tfjs" "memory" (memory 0))

  (func (export "addRows") (param $out i32) (param $a i32) (param $b i32) (param $rows i32) (param $width i32)
    (local $rowBytes i32) (local $end i32) (local $k i32)
    (local.set $rowBytes (i32.shl (local.get $width) (i32.const 2)))
    (local.set $end (i32.add (local.get $a) (i32.mul (local.get $rows) (local.get $rowBytes))))
    (block $done
      (loop $row
        (br_if $done (i32.ge_u (local.get $a) (local.get $end)))
        (local.set $k (i32.const 0))
        (block $next
          (loop $lanes
            (br_if $next (i32.ge_u (local.get $k) (local.get $rowBytes)))
            (v128.store (i32.add (local.get $out) (local.get $k))
              (f32x4.add (v128.load (i32.add (local.get $a) (local.get $k))) (v128.load (i32.add (local.get $b) (local.get $k)))))
            (local.set $k (i32.add (local.get $k) (i32.const 16)))
            (br $lanes)))
        (local.set $a (i32.add (local.get $a) (local.get $rowBytes)))
        (local.set $out (i32.add (local.get $out) (local.get $rowBytes)))
        (br $row))))

  (func (export "sumRows") (param $out i32) (param $a i32) (param $rows i32) (param $width i32)
    (local $rowBytes i32) (local $end i32) (local $k i32)
    (local.set $rowBytes (i32.shl (local.get $width) (i32.const 2)))
    (local.set $end (i32.add (local.get $a) (i32.mul (local.get $rows) (local.get $rowBytes))))
    ;; out = the first row, then each further row added
    (memory.copy (local.get $out) (local.get $a) (local.get $rowBytes))
    (local.set $a (i32.add (local.get $a) (local.get $rowBytes)))
    (block $done
      (loop $row
        (br_if $done (i32.ge_u (local.get $a) (local.get $end)))
        (local.set $k (i32.const 0))
        (block $next
          (loop $lanes
            (br_if $next (i32.ge_u (local.get $k) (local.get $rowBytes)))
            (v128.store (i32.add (local.get $out) (local.get $k))
              (f32x4.add (v128.load (i32.add (local.get $out) (local.get $k))) (v128.load (i32.add (local.get $a) (local.get $k)))))
            (local.set $k (i32.add (local.get $k) (i32.const 16)))
            (br $lanes)))
        (local.set $a (i32.add (local.get $a) (local.get $rowBytes)))
        (br $row)))))
