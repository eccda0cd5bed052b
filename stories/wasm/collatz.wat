;; The WasmPool story's module: a small pure function worth a call, and a trap.
(module
  ;; Collatz steps of n: halve it when even, 3n + 1 when odd, until it reaches 1.
  (func (export "steps") (param $n i32) (result i32)
    (local $count i32)
    (block $done
      (loop $next
        (br_if $done (i32.le_u (local.get $n) (i32.const 1)))
        (if (i32.and (local.get $n) (i32.const 1))
          (then (local.set $n (i32.add (i32.mul (local.get $n) (i32.const 3)) (i32.const 1))))
          (else (local.set $n (i32.shr_u (local.get $n) (i32.const 1)))))
        (local.set $count (i32.add (local.get $count) (i32.const 1)))
        (br $next)))
    (local.get $count))
  ;; What a Rust panic=abort compiles to.
  (func (export "fail") (result i32) unreachable))
