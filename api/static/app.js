/* Draws the page's charts with Chart.js (served by the app, see vendor/).
 *
 * The server renders every chart as a Chart.js configuration in the JSON script tag
 * #chart-specs ([{id, title, config}]); this file only adds the palette and shared options, then
 * hands each configuration to Chart.js for the canvas with the same id. No drawing happens here.
 */
(function () {
  "use strict";

  var PALETTE = ["#2f6fdf", "#1f9d6b", "#e8a33d", "#d6455d", "#7b5cd6", "#1895a8", "#c45aa5",
                 "#7a9a2e", "#e06c2c", "#5b6b82"];
  var TONES = {accent: "#2f6fdf", muted: "#dfe5ee", total: "#2f6fdf", decrease: "#d6455d",
               increase: "#1f9d6b"};
  var ROUND = {doughnut: true, pie: true, polarArea: true};

  function colour(index) {
    return PALETTE[index % PALETTE.length];
  }

  function paint(config) {
    var round = ROUND[config.type] === true;
    config.data.datasets.forEach(function (dataset, index) {
      if (dataset.tones) {
        dataset.backgroundColor = dataset.tones.map(function (tone) { return TONES[tone]; });
        dataset.borderColor = dataset.backgroundColor;
      } else if (round) {
        dataset.backgroundColor = dataset.data.map(function (_, at) { return colour(at); });
        dataset.borderColor = "#ffffff";
      } else {
        dataset.backgroundColor = colour(index) + (dataset.type === "line" ? "33" : "cc");
        dataset.borderColor = colour(index);
        dataset.borderWidth = dataset.type === "line" || config.type === "line" ? 2 : 0;
        dataset.pointRadius = 2;
      }
    });
    return config;
  }

  function withDefaults(config) {
    var options = config.options || {};
    options.responsive = true;
    options.maintainAspectRatio = false;
    options.animation = false;
    options.plugins = options.plugins || {};
    options.plugins.legend = Object.assign({position: "bottom"}, options.plugins.legend);
    config.options = options;
    return config;
  }

  function draw() {
    var source = document.getElementById("chart-specs");
    if (!source || typeof Chart === "undefined") {
      return;
    }
    Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    Chart.defaults.color = "#334155";
    JSON.parse(source.textContent).forEach(function (spec) {
      var canvas = document.getElementById(spec.id);
      if (canvas) {
        new Chart(canvas, withDefaults(paint(spec.config)));
      }
    });
  }

  draw();
}());
