// 巡察整改管理系统 — the page's own script: draws the dashboard's charts from the JSON embedded
// in the page and shows progress on long form submissions. Everything works without it.
(function () {
  "use strict";

  var LIGHT_COLOURS = { red: "#d4380d", yellow: "#d48806", green: "#389e0d", none: "#bfbfbf", grey: "#e0e0e0" };
  var DONE = "#a4262c";
  var OPEN = "#d9d9d9";
  var FONT = '"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif';

  // Irreversible steps ask first: data-confirm on the form, or on the button that submits it.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var button = event.submitter;
    var question = (button && button.dataset && button.dataset.confirm) || (form && form.dataset && form.dataset.confirm);
    if (question && !window.confirm(question)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  });

  // Forms marked data-busy disable their button and say what is happening.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || !form || !form.dataset || !form.dataset.busy) return;
    var button = form.querySelector("button[type=submit]");
    if (button) {
      // Disable after the submission has been collected, so the button's value is still sent.
      setTimeout(function () {
        button.disabled = true;
        button.textContent = form.dataset.busy;
      }, 0);
    }
  });

  // On a phone the extra filters start folded unless one of them is in use.
  function foldFilters() {
    var more = document.getElementById("more-filters");
    if (!more || !window.matchMedia("(max-width: 820px)").matches) return;
    var used = Array.prototype.some.call(more.querySelectorAll("select"), function (s) { return s.value !== ""; });
    if (!used) more.open = false;
  }

  function stacked(el, groups, horizontal) {
    var names = groups.map(function (g) { return g.short || g.name; });
    if (horizontal) el.style.height = Math.max(260, groups.length * 30 + 70) + "px";
    var category = {
      type: "category", data: names, inverse: horizontal,
      axisLabel: { width: horizontal ? 110 : 90, overflow: "truncate", interval: 0, fontFamily: FONT }
    };
    var value = { type: "value", minInterval: 1 };
    var chart = echarts.init(el, null, { renderer: "canvas" });
    chart.setOption({
      textStyle: { fontFamily: FONT },
      tooltip: {
        trigger: "axis", axisPointer: { type: "shadow" },
        formatter: function (items) {
          var g = groups[items[0].dataIndex];
          return escapeHtml(g.name) + "<br>已完成 " + g.completed + "，未完成 " + g.open + "，完成率 " + g.rate + "%";
        }
      },
      legend: { data: ["已完成", "未完成"], top: 0 },
      grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
      xAxis: horizontal ? value : category,
      yAxis: horizontal ? category : value,
      series: [
        { name: "已完成", type: "bar", stack: "all", data: groups.map(function (g) { return g.completed; }), itemStyle: { color: DONE }, barMaxWidth: 28 },
        { name: "未完成", type: "bar", stack: "all", data: groups.map(function (g) { return g.open; }), itemStyle: { color: OPEN }, barMaxWidth: 28 }
      ]
    });
    return chart;
  }

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function draw() {
    var source = document.getElementById("chart-data");
    if (!source || typeof echarts === "undefined") return;
    var data;
    try { data = JSON.parse(source.textContent); } catch (e) { return; }
    var charts = [];
    var el;
    if ((el = document.getElementById("chart-aspects"))) charts.push(stacked(el, data.aspects, false));
    if ((el = document.getElementById("chart-leaders"))) charts.push(stacked(el, data.leaders, true));
    if ((el = document.getElementById("chart-departments"))) charts.push(stacked(el, data.departments, true));
    if ((el = document.getElementById("chart-lights"))) {
      var pie = echarts.init(el);
      pie.setOption({
        textStyle: { fontFamily: FONT },
        tooltip: { trigger: "item", formatter: "{b}：{c}条（{d}%）" },
        legend: { bottom: 0, type: "scroll" },
        series: [{
          type: "pie", radius: ["40%", "68%"], center: ["50%", "45%"],
          label: { formatter: "{b}\n{c}条" },
          data: data.lights.filter(function (l) { return l.value > 0; }).map(function (l) {
            return { name: l.name, value: l.value, itemStyle: { color: LIGHT_COLOURS[l.key] } };
          })
        }]
      });
      charts.push(pie);
    }
    if ((el = document.getElementById("chart-timeline"))) {
      var line = echarts.init(el);
      line.setOption({
        textStyle: { fontFamily: FONT },
        tooltip: { trigger: "axis", formatter: function (items) { return items[0].axisValue + "：累计完成 " + items[0].value + " 条"; } },
        grid: { left: 8, right: 24, top: 24, bottom: 8, containLabel: true },
        xAxis: { type: "category", data: data.timeline.months, boundaryGap: false },
        yAxis: { type: "value", minInterval: 1, max: data.timeline.total_measures || null },
        series: [{ type: "line", step: "end", data: data.timeline.cumulative, itemStyle: { color: DONE }, areaStyle: { color: "rgba(164,38,44,0.08)" } }]
      });
      charts.push(line);
    }
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  }

  function start() {
    foldFilters();
    draw();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
