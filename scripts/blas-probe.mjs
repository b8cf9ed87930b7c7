// Times the BLAS that libblas.so.3 resolves to for this process (setup.sh runs it once per
// candidate with LD_LIBRARY_PATH pointing at that candidate's folder) on what training asks of
// it: a 784-256-256-10 MLP step on 64 images, forward and backward, and 512² matmuls, on the
// machine's libtorch threads. Prints the median milliseconds of one round of both.
//
// Why measure instead of fixing one: on a 2-core AVX2 EPYC, BLIS (OpenMP) ran 1024² matmul at
// 57 GFLOP/s against 31 for OpenBLAS; on a 2-core AVX-512 EPYC, BLIS gave 82 and OpenBLAS
// (OpenMP) 240, and the MLP, LSTM and Transformer training rows ran 1.8–2.7× faster on
// OpenBLAS. OpenBLAS's pthread build is never a candidate: its threads spin beside libtorch's
// OpenMP workers (the same LSTM step 1.7× slower than on BLIS).
import * as fl from "../dist/src/index.js";

fl.manualSeed(0);
const w1 = fl.randn([256, 784]).mul(0.05).requiresGrad_();
const w2 = fl.randn([256, 256]).mul(0.05).requiresGrad_();
const w3 = fl.randn([10, 256]).mul(0.05).requiresGrad_();
const x = fl.randn([64, 784]);
const a = fl.randn([512, 512]);
const b = fl.randn([512, 512]);
const { linear, relu } = fl.nn.functional;

function round() {
  fl.tidy(() => {
    for (let i = 0; i < 10; i++) {
      const loss = linear(relu(linear(relu(linear(x, w1)), w2)), w3).pow(2).mean();
      loss.backward();
      for (const w of [w1, w2, w3]) w.grad = null;
    }
    for (let i = 0; i < 10; i++) a.matmul(b);
  });
}

round();
const times = [];
for (let i = 0; i < 7; i++) {
  const t = performance.now();
  round();
  times.push(performance.now() - t);
}
times.sort((p, q) => p - q);
console.log(times[3].toFixed(2));
