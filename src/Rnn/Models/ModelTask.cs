namespace Rnn.Models;

/// <summary>What a model is trained to do; its lower-case name is the model file's <c>task</c> key.</summary>
public enum ModelTask
{
    /// <summary>Language model: a next-token distribution at every step (<c>lm</c>).</summary>
    Lm,
    /// <summary>Sequence classification: one class per sequence (<c>classify</c>).</summary>
    Classify,
    /// <summary>Tagging: one tag per token (<c>tag</c>).</summary>
    Tag,
    /// <summary>Forecasting: the next K values of a series from a window of it (<c>forecast</c>).</summary>
    Forecast,
}

/// <summary>The names of <see cref="ModelTask"/>, as in files.</summary>
public static class ModelTasks
{
    /// <summary>The name of <paramref name="task"/>: <c>lm</c>, <c>classify</c>, <c>tag</c> or <c>forecast</c>.</summary>
    public static string Name(ModelTask task) => task switch
    {
        ModelTask.Lm => "lm",
        ModelTask.Classify => "classify",
        ModelTask.Tag => "tag",
        ModelTask.Forecast => "forecast",
        _ => throw new ArgumentOutOfRangeException(nameof(task), task, "Unknown task."),
    };

    /// <summary>Parses a task name; null for an unknown one.</summary>
    public static ModelTask? Parse(string name) => name switch
    {
        "lm" => ModelTask.Lm,
        "classify" => ModelTask.Classify,
        "tag" => ModelTask.Tag,
        "forecast" => ModelTask.Forecast,
        _ => null,
    };
}
