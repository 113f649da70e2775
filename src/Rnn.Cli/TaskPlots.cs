// The pictures of `rnn eval --plot`: a confusion matrix as a heat map, a forecast over the series it forecasts.
using Rnn.IO;
using ScottPlot;

namespace Rnn.Cli;

/// <summary>PNG figures of evaluation results, written atomically.</summary>
public static class TaskPlots
{
    /// <summary>The confusion matrix [truth][predicted] as a heat map, true classes down, predicted across.</summary>
    public static void ConfusionMatrix(string path, int[][] matrix, IReadOnlyList<string> labels, string title)
    {
        int c = labels.Count;
        var values = new double[c, c];
        for (int i = 0; i < c; i++)
            for (int j = 0; j < c; j++) values[i, j] = matrix[i][j];
        var plot = new Plot();
        var heatmap = plot.Add.Heatmap(values);
        heatmap.Colormap = new ScottPlot.Colormaps.Viridis();
        plot.Add.ColorBar(heatmap);
        double[] ticks = [.. Enumerable.Range(0, c).Select(i => (double)i)];
        plot.Axes.Bottom.SetTicks(ticks, [.. labels]);
        plot.Axes.Left.SetTicks([.. ticks.Select(t => c - 1 - t)], [.. labels]);
        plot.Title(title);
        plot.XLabel("predicted");
        plot.YLabel("true");
        Save(path, plot);
    }

    /// <summary>The series and the forecasts of the rows they are for.</summary>
    public static void Forecast(string path, ReadOnlySpan<double> series, IReadOnlyList<int> rows, IReadOnlyList<double> forecasts, string title, string target)
    {
        var plot = new Plot();
        var actual = plot.Add.Scatter(Enumerable.Range(0, series.Length).Select(i => (double)i).ToArray(), series.ToArray());
        actual.LegendText = target;
        var predicted = plot.Add.Scatter(rows.Select(r => (double)r).ToArray(), forecasts.ToArray());
        predicted.LegendText = "forecast";
        plot.Title(title);
        plot.XLabel("row");
        plot.YLabel(target);
        plot.ShowLegend(Alignment.UpperLeft);
        Save(path, plot);
    }

    private static void Save(string path, Plot plot)
    {
        byte[] png = plot.GetImageBytes(900, 600, ImageFormat.Png);
        AtomicFile.Write(path, stream => stream.Write(png));
    }
}
