namespace MlNetRnn.Kernels;

/// <summary>Checks an optimizer update: every state buffer as long as the parameter values.</summary>
public static class UpdateArguments
{
    public static void Validate(int values, int gradients, int state, string stateName, bool stateRequired)
    {
        if (gradients != values)
            throw new ArgumentException($"The gradients must be as long as the {values} values, got {gradients}.", "gradients");
        if ((stateRequired || state != 0) && state != values)
            throw new ArgumentException($"{stateName} must be as long as the {values} values, got {state}.", stateName);
    }
}
