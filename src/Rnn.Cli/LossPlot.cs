using Rnn.IO;
using Rnn.Serialization;
using Rnn.Training;
using ScottPlot;

namespace Rnn.Cli;

/// <summary>Draws the loss curve (train and validation, bits per token) as a PNG with ScottPlot.</summary>
public static class LossPlot
{
    /// <summary>Writes the PNG atomically to <paramref name="path"/>; a history with no points is refused.</summary>
    public static void Save(string path, IReadOnlyList<LossPoint> history, string title, string unit = "bits per character", double? scale = null)
    {
        var points = history.Where(p => double.IsFinite(p.TrainLoss) || p.ValidationLoss is not null).ToList();
        if (points.Count == 0) throw new InvalidOperationException("there is no loss to plot yet.");
        var plot = new Plot();
        double toBits = scale ?? 1 / Math.Log(2);
        var train = points.Where(p => double.IsFinite(p.TrainLoss)).ToList();
        if (train.Count > 0)
        {
            var s = plot.Add.Scatter(train.Select(p => (double)p.Step).ToArray(), train.Select(p => p.TrainLoss * toBits).ToArray());
            s.LegendText = "train";
        }
        var validation = points.Where(p => p.ValidationLoss is not null).ToList();
        if (validation.Count > 0)
        {
            var s = plot.Add.Scatter(validation.Select(p => (double)p.Step).ToArray(), validation.Select(p => p.ValidationLoss!.Value * toBits).ToArray());
            s.LegendText = "validation";
        }
        plot.Title(title);
        plot.XLabel("step");
        plot.YLabel(unit);
        plot.ShowLegend(Alignment.UpperRight);
        byte[] png = plot.GetImageBytes(900, 500, ImageFormat.Png);
        AtomicFile.Write(path, stream => stream.Write(png));
    }
}
