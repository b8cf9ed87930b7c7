{
  "variables": {
    "torch_include%": "<!(echo ${FLAMBEAU_TORCH_INCLUDE:-/usr/include})",
    "torch_lib%": "<!(echo ${FLAMBEAU_TORCH_LIB:-/usr/lib/x86_64-linux-gnu})",
    "with_gloo%": "<!(test -f ${FLAMBEAU_GLOO_INCLUDE:-/usr/include}/gloo/allreduce.h && echo 1 || echo 0)"
  },
  "targets": [
    {
      "target_name": "flambeau",
      "sources": ["native/flambeau.cc", "native/memory.cc", "native/jit.cc", "native/autograd.cc", "native/settings.cc", "native/objects.cc"],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "<(torch_include)",
        "<(torch_include)/torch/csrc/api/include"
      ],
      "defines": ["NAPI_EXPERIMENTAL", "NODE_ADDON_API_CPP_EXCEPTIONS"],
      "cflags!": ["-fno-exceptions", "-fno-rtti"],
      "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++17"],
      "cflags_cc": ["-std=c++17", "-fexceptions", "-frtti", "-O2", "-Wno-unused-parameter", "-Wno-deprecated-declarations"],
      "libraries": ["-L<(torch_lib)", "-Wl,-rpath,<(torch_lib)", "-ltorch", "-ltorch_cpu", "-lc10"]
    }
  ],
  "conditions": [
    ["with_gloo==1", {
      "targets": [
        {
          "target_name": "flambeau_distributed",
          "sources": ["native/distributed.cc"],
          "include_dirs": [
            "<!(node -p \"require('node-addon-api').include_dir\")",
            "<(torch_include)",
            "<(torch_include)/torch/csrc/api/include"
          ],
          "defines": ["NAPI_EXPERIMENTAL", "NODE_ADDON_API_CPP_EXCEPTIONS", "USE_DISTRIBUTED", "USE_C10D", "USE_C10D_GLOO"],
          "cflags!": ["-fno-exceptions", "-fno-rtti"],
          "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-std=gnu++17"],
          "cflags_cc": ["-std=c++17", "-fexceptions", "-frtti", "-O2", "-Wno-unused-parameter", "-Wno-deprecated-declarations"],
          "libraries": ["-L<(torch_lib)", "-Wl,-rpath,<(torch_lib)", "-ltorch", "-ltorch_cpu", "-lc10", "-lgloo"]
        }
      ]
    }]
  ]
}
