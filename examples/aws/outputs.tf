output "log_group_name" {
  description = "The log group the app ships to (the library's default name, so LMS_CLOUDWATCH_LOG_GROUP can stay unset)."
  value       = aws_cloudwatch_log_group.lms.name
}

output "log_group_arn" {
  value = aws_cloudwatch_log_group.lms.arn
}

output "alarm_topic_arn" {
  description = "LMS_ALERT_SNS_TOPIC_ARN for `lms-logs setup`."
  value       = aws_sns_topic.alarms.arn
}

output "shipping_policy_arn" {
  description = "The app's policy: CreateLogGroup, CreateLogStream, PutLogEvents on this group only."
  value       = aws_iam_policy.shipping.arn
}

output "setup_policy_arn" {
  description = "Attach to the operator / CI role that runs `lms-logs plan` and `lms-logs setup`."
  value       = aws_iam_policy.setup.arn
}

output "ecs_task_role_arn" {
  description = "taskRoleArn of the app's ECS task definition (null when create_ecs_task_role = false)."
  value       = one(aws_iam_role.ecs_task[*].arn)
}

output "ec2_instance_profile_name" {
  description = "Instance profile of the app's EC2 instances (null when create_ec2_instance_profile = false)."
  value       = one(aws_iam_instance_profile.ec2[*].name)
}

output "ec2_role_arn" {
  value = one(aws_iam_role.ec2[*].arn)
}

output "app_environment" {
  description = "Environment of the app. No credentials: they come from the task role / instance profile."
  value = {
    LMS_LOG_BACKEND  = "cloudwatch"
    ENVIRONMENT      = var.environment
    LMS_SERVICE_NAME = var.service
    AWS_REGION       = local.region
  }
}

output "ecs_environment_json" {
  description = "The `environment` array of the container definition."
  value = jsonencode([
    { name = "LMS_LOG_BACKEND", value = "cloudwatch" },
    { name = "ENVIRONMENT", value = var.environment },
    { name = "LMS_SERVICE_NAME", value = var.service },
    { name = "AWS_REGION", value = local.region },
  ])
}

output "systemd_environment" {
  description = "Environment= lines for the app's systemd unit on EC2."
  value       = <<-EOT
    Environment=LMS_LOG_BACKEND=cloudwatch
    Environment=ENVIRONMENT=${var.environment}
    Environment=LMS_SERVICE_NAME=${var.service}
    Environment=AWS_REGION=${local.region}
  EOT
}

output "setup_environment" {
  description = "Environment of `lms-logs plan` / `lms-logs setup` (run with the setup policy)."
  value = {
    LMS_LOG_BACKEND          = "cloudwatch"
    ENVIRONMENT              = var.environment
    LMS_SERVICE_NAME         = var.service
    AWS_REGION               = local.region
    LMS_LOG_RETENTION_DAYS   = tostring(var.retention_in_days)
    LMS_ALERT_SNS_TOPIC_ARN  = aws_sns_topic.alarms.arn
    LMS_CLOUDWATCH_DASHBOARD = var.dashboard_name
  }
}
