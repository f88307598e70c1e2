// Dashboard charts from the JSON block rendered by the server (plotly.js served locally).
(function () {
  var node = document.getElementById("charts-data");
  if (!node || typeof Plotly === "undefined") { return; }
  var data = JSON.parse(node.textContent);
  var words = data.words || { threshold: "threshold", expected: "expected", separators: ".," };
  var layout = { margin: { t: 10, r: 10, b: 40, l: 60 }, height: 270, separators: words.separators };
  var config = { displayModeBar: false, responsive: true };
  if (data.aging) {
    Plotly.newPlot("chart-aging", [{ type: "bar", x: data.aging.labels, y: data.aging.values.map(Number),
      marker: { color: ["#12b76a", "#fdb022", "#f79009", "#f04438", "#912018"] } }], layout, config);
  }
  if (data.trend && document.getElementById("chart-trend")) {
    var months = data.trend.months || data.trend.dates;  // the server names months in the reader's language
    var traces = [{ type: "scatter", mode: "lines+markers", name: "DSO", x: months, y: data.trend.dso }];
    if (data.trend.threshold) {
      traces.push({ type: "scatter", mode: "lines", name: words.threshold, x: months,
        y: months.map(function () { return data.trend.threshold; }), line: { dash: "dot", color: "#f04438" } });
    }
    Plotly.newPlot("chart-trend", traces, Object.assign({ showlegend: false, xaxis: { type: "category" } }, layout), config);
  }
  if (data.forecast && document.getElementById("chart-forecast")) {
    var f = data.forecast;
    Plotly.newPlot("chart-forecast", [
      { type: "scatter", mode: "lines", x: f.weeks, y: f.high.map(Number), line: { width: 0 }, showlegend: false },
      { type: "scatter", mode: "lines", x: f.weeks, y: f.low.map(Number), fill: "tonexty", line: { width: 0 },
        fillcolor: "rgba(31,95,191,0.15)", showlegend: false },
      { type: "bar", x: f.weeks, y: f.expected.map(Number), name: words.expected }
    ], Object.assign({ showlegend: false, xaxis: { type: "date", tickformat: "%d/%m" } }, layout), config);
  }
  document.body.setAttribute("data-charts", "ready");
})();
