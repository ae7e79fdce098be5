// Rotations: f = w . (R v) with R = Rz(a) Ry(b) Rx(c) built from products of
// Eigen::AngleAxisd (quaternion products, whose SSE kernel flips signs by
// xor with a sign mask) and converted with toRotationMatrix(), w.r.t. the
// angles (closed form: dR/da = [e_z]x R, dR/db = Rz [e_y]x Ry Rx,
// dR/dc = R [e_x]x), and g = w . (R(q) v) + u . (q^ * v) for a quaternion q
// (normalized, toRotationMatrix and the quaternion applied to a vector),
// w.r.t. q and v against finite differences. -DROTATION_QUAT tests g,
// otherwise f.
#include "check.hpp"
#include <Eigen/Dense>
#include <Eigen/Geometry>

using Eigen::AngleAxisd;
using Eigen::Map;
using Eigen::Matrix3d;
using Eigen::Quaterniond;
using Eigen::Vector3d;

double rot_euler(double a, double b, double c, const double *v,
                 const double *w) {
  Matrix3d R =
      (AngleAxisd(a, Vector3d::UnitZ()) * AngleAxisd(b, Vector3d::UnitY()) *
       AngleAxisd(c, Vector3d::UnitX()))
          .toRotationMatrix();
  return Map<const Vector3d>(w).dot(R * Map<const Vector3d>(v));
}

double quat_rot(const double *q, const double *v, const double *w,
                const double *u) {
  Quaterniond Q = Quaterniond(q[0], q[1], q[2], q[3]).normalized();
  Map<const Vector3d> vm(v);
  return Map<const Vector3d>(w).dot(Q.toRotationMatrix() * vm) +
         Map<const Vector3d>(u).dot(Q * vm);
}

Matrix3d skew(const Vector3d &e) {
  Matrix3d K;
  K << 0, -e.z(), e.y(), e.z(), 0, -e.x(), -e.y(), e.x(), 0;
  return K;
}

int main() {
  const double a = 0.7, b = -0.4, c = 1.2;
  std::vector<double> v = {0.3, -1.1, 0.8}, w = {1.2, 0.4, -0.5},
                      u = {-0.6, 0.9, 0.2};
  Vector3d vm(v.data()), wm(w.data());
  Matrix3d Rz = AngleAxisd(a, Vector3d::UnitZ()).toRotationMatrix(),
           Ry = AngleAxisd(b, Vector3d::UnitY()).toRotationMatrix(),
           Rx = AngleAxisd(c, Vector3d::UnitX()).toRotationMatrix(),
           R = Rz * Ry * Rx;
  double ga[3] = {wm.dot(skew(Vector3d::UnitZ()) * R * vm),
                  wm.dot(Rz * skew(Vector3d::UnitY()) * Ry * Rx * vm),
                  wm.dot(R * skew(Vector3d::UnitX()) * vm)};
  double abc[3] = {a, b, c};
  ScalarFn fe = [&](const double *p) {
    return rot_euler(p[0], p[1], p[2], v.data(), w.data());
  };
  std::vector<double> fda = fd_gradient(fe, abc, 3);
  std::vector<double> q = {0.9, 0.2, -0.3, 0.25}, vq = {0.1, -0.7, 0.4, 0.3},
                      vq2 = {-0.2, 0.5, 0.6, -0.1};
  ScalarFn fq = [&](const double *p) {
    return quat_rot(p, v.data(), w.data(), u.data());
  };
  ScalarFn fv = [&](const double *p) {
    return quat_rot(q.data(), p, w.data(), u.data());
  };
  std::vector<double> fdq = fd_gradient(fq, q.data(), 4);
  std::vector<double> fdv = fd_gradient(fv, v.data(), 3);
  std::printf("euler angles, quaternion\n");

#ifdef TEST_REV
  {
#ifndef ROTATION_QUAT
    Vec3 r = __enzyme_autodiff_3((void *)rot_euler, a, b, c, enzyme_const,
                                 v.data(), enzyme_const, w.data());
    CHECK_VEC("reverse df/dangles", r.d, ga, fda.data(), 3);
#else
    std::vector<double> dq(4, 0.0), dv(3, 0.0);
    __enzyme_autodiff((void *)quat_rot, enzyme_dup, q.data(), dq.data(),
                      enzyme_dup, v.data(), dv.data(), enzyme_const, w.data(),
                      enzyme_const, u.data());
    CHECK_VEC("reverse dg/dq", dq, nullptr, fdq.data(), 4);
    CHECK_VEC("reverse dg/dv", dv, nullptr, fdv.data(), 3);
#endif
  }
#endif
#ifdef TEST_FWD
  {
#ifndef ROTATION_QUAT
    double t = __enzyme_fwddiff((void *)rot_euler, a, 1.0, b, 0.5, c, -0.3,
                                enzyme_const, v.data(), enzyme_const, w.data());
    CHECK_CLOSED("forward df/dangles.(1, 0.5, -0.3)", 0, t,
                 ga[0] + 0.5 * ga[1] - 0.3 * ga[2]);
#else
    double tq = __enzyme_fwddiff(
        (void *)quat_rot, enzyme_dup, q.data(), vq.data(), enzyme_const,
        v.data(), enzyme_const, w.data(), enzyme_const, u.data());
    CHECK_FD("forward dg/dq.vq", 0, tq, inner(fdq, vq.data()));
#endif
  }
#endif
#ifdef TEST_VEC
  {
#ifndef ROTATION_QUAT
    Vec3 t = __enzyme_fwddiff_3((void *)rot_euler, enzyme_width, 3, a, 1.0, 0.0,
                                0.0, b, 0.0, 1.0, 0.0, c, 0.0, 0.0, 1.0,
                                enzyme_const, v.data(), enzyme_const, w.data());
    CHECK_VEC("vector df/dangles", t.d, ga, fda.data(), 3);
#else
    Vec2 tq = __enzyme_fwddiff_2((void *)quat_rot, enzyme_width, 2, enzyme_dup,
                                 q.data(), vq.data(), vq2.data(), enzyme_const,
                                 v.data(), enzyme_const, w.data(), enzyme_const,
                                 u.data());
    CHECK_FD("vector dg/dq.vq", 0, tq.d[0], inner(fdq, vq.data()));
    CHECK_FD("vector dg/dq.vq2", 1, tq.d[1], inner(fdq, vq2.data()));
#endif
  }
#endif
  return report("rotation");
}
