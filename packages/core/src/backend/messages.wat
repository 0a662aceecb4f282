;; Message passing in one pass over the edges: out[o[e]] += a[ia[e]] ⊙ b[ib[e]] for every edge e,
;; on rows of `width` floats (a multiple of 4), four lanes at a time (wasm SIMD): four vectors per
;; loop while a row has 16 floats left (independent chains, as in activations.wat), then one. It
;; works in place in the memory of TF.js's wasm backend (imported): the arguments are byte offsets
;; of its tensors, indices are checked by the caller, and `out` starts zeroed.
(module
  (import "tfjs" "memory" (memory 0))

  (func (export "gatherMultiplyScatter")
    (param $out i32) (param $a i32) (param $b i32) (param $ia i32) (param $ib i32) (param $o i32) (param $edges i32) (param $width i32)
    (local $rowBytes i32) (local $groupBytes i32) (local $end i32) (local $pa i32) (local $pb i32) (local $po i32) (local $stop i32) (local $rowEnd i32)
    ;; @locals 4 $v
    (local.set $rowBytes (i32.shl (local.get $width) (i32.const 2)))
    (local.set $groupBytes (i32.and (local.get $rowBytes) (i32.const -64)))
    (local.set $end (i32.add (local.get $ia) (i32.shl (local.get $edges) (i32.const 2))))
    (block $done
      (loop $edge
        (br_if $done (i32.ge_u (local.get $ia) (local.get $end)))
        (local.set $pa (i32.add (local.get $a) (i32.mul (i32.load (local.get $ia)) (local.get $rowBytes))))
        (local.set $pb (i32.add (local.get $b) (i32.mul (i32.load (local.get $ib)) (local.get $rowBytes))))
        (local.set $po (i32.add (local.get $out) (i32.mul (i32.load (local.get $o)) (local.get $rowBytes))))
        (local.set $stop (i32.add (local.get $po) (local.get $groupBytes)))
        (local.set $rowEnd (i32.add (local.get $po) (local.get $rowBytes)))
        (block $groupsDone
          (loop $groups
            (br_if $groupsDone (i32.ge_u (local.get $po) (local.get $stop)))
            ;; @each 4 $v
            (local.set $v (f32x4.add (v128.load offset=0 (local.get $po)) (f32x4.mul (v128.load offset=0 (local.get $pa)) (v128.load offset=0 (local.get $pb)))))
            (v128.store offset=0 (local.get $po) (local.get $v))
            ;; @end
            (local.set $po (i32.add (local.get $po) (i32.const 64)))
            (local.set $pa (i32.add (local.get $pa) (i32.const 64)))
            (local.set $pb (i32.add (local.get $pb) (i32.const 64)))
            (br $groups)))
        (block $rowDone
          (loop $lanes
            (br_if $rowDone (i32.ge_u (local.get $po) (local.get $rowEnd)))
            (v128.store (local.get $po)
              (f32x4.add (v128.load (local.get $po)) (f32x4.mul (v128.load (local.get $pa)) (v128.load (local.get $pb)))))
            (local.set $po (i32.add (local.get $po) (i32.const 16)))
            (local.set $pa (i32.add (local.get $pa) (i32.const 16)))
            (local.set $pb (i32.add (local.get $pb) (i32.const 16)))
            (br $lanes)))
        (local.set $ia (i32.add (local.get $ia) (i32.const 4)))
        (local.set $ib (i32.add (local.get $ib) (i32.const 4)))
        (local.set $o (i32.add (local.get $o) (i32.const 4)))
        (br $edge)))))
