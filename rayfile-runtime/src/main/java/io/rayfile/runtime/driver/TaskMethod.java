package io.rayfile.runtime.driver;

import io.rayfile.api.RayFileException;
import io.rayfile.api.Task;
import java.lang.invoke.MethodHandleInfo;
import java.lang.invoke.MethodType;
import java.lang.invoke.SerializedLambda;
import java.lang.reflect.Method;

/**
 * The static method behind a task's method reference, read from its serialized form: tasks travel by name, never
 * as code.
 *
 * @param className the declaring class
 * @param methodName the method
 * @param descriptor its JVM descriptor
 * @param type its parameter and return types
 */
record TaskMethod(String className, String methodName, String descriptor, MethodType type) {

  static TaskMethod of(Task task) {
    SerializedLambda lambda;
    try {
      Method writeReplace = task.getClass().getDeclaredMethod("writeReplace");
      writeReplace.setAccessible(true);
      lambda = (SerializedLambda) writeReplace.invoke(task);
    } catch (ReflectiveOperationException | ClassCastException e) {
      throw new RayFileException(RayFileException.Code.INVALID_ARGUMENT, "a task must be a method reference "
          + "(Class::staticMethod), got " + task.getClass().getName());
    }
    if (lambda.getImplMethodKind() != MethodHandleInfo.REF_invokeStatic) {
      throw new RayFileException(RayFileException.Code.INVALID_ARGUMENT, "task " + lambda.getImplMethodName()
          + " is not a static method: tasks are static methods (Class::method), so nodes can call them by name");
    }
    if (lambda.getCapturedArgCount() != 0) {
      throw new RayFileException(RayFileException.Code.INVALID_ARGUMENT, "task " + lambda.getImplMethodName()
          + " captures values; pass them as arguments instead");
    }
    String cls = lambda.getImplClass().replace('/', '.');
    ClassLoader loader = task.getClass().getClassLoader();
    MethodType type = MethodType.fromMethodDescriptorString(lambda.getImplMethodSignature(), loader);
    return new TaskMethod(cls, lambda.getImplMethodName(), lambda.getImplMethodSignature(), type);
  }

  String displayName() {
    return className.substring(className.lastIndexOf('.') + 1) + "::" + methodName;
  }
}
