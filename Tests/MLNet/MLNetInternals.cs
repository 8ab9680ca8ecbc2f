using System.Reflection;
using Microsoft.ML;

namespace MlNetRnn.MLNet.Tests;

/// <summary>
/// What the tests call of ML.NET that ML.NET keeps internal (Microsoft.ML 5.0.1 and 6.0.0), reached by reflection
/// in this one place: each is what ML.NET's own code calls.
/// </summary>
internal static class MLNetInternals
{
    /// <summary>SchemaShape.Create(DataViewSchema): the shape ML.NET's pipelines pass to GetOutputSchema.</summary>
    public static SchemaShape ShapeOf(IDataView data) => (SchemaShape)typeof(SchemaShape)
        .GetMethod("Create", BindingFlags.NonPublic | BindingFlags.Static, [typeof(DataViewSchema)])!
        .Invoke(null, [data.Schema])!;

    /// <summary>MLContext.CancelExecution(): what AutoML calls when a trial runs out of time.</summary>
    public static void CancelExecution(MLContext ml) =>
        typeof(MLContext).GetMethod("CancelExecution", BindingFlags.NonPublic | BindingFlags.Instance, Type.EmptyTypes)!.Invoke(ml, null);

    /// <summary>TrainerInfo.NeedCalibration.</summary>
    public static bool NeedCalibration(TrainerInfo info) =>
        (bool)typeof(TrainerInfo).GetProperty("NeedCalibration", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(info)!;
}
