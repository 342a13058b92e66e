/*
 * The network explorer's training, in a Web Worker so that the page stays responsive: a
 * ConvCore.TrainingRunner (training.js) that takes the panel's messages and posts back what it
 * shows. Started by network_training.js with new Worker(this file's address); the modules are
 * loaded from beside it.
 */
(function () {
  "use strict";

  self.importScripts("core.js", "random.js", "augmentation.js", "training.js");
  var runner = new self.ConvCore.TrainingRunner(function (snapshot) { self.postMessage(snapshot); }, { slice: 100, every: 250, testEvery: 500 });
  self.onmessage = function (event) { runner.handle(event.data); };
})();
